import { CircuitBreaker } from '../../guards/circuit-breaker.js';
import {
  PASS,
  PROBE,
  REJECT,
  type BreakerGuard,
  type BreakerSettings,
  type CircuitListener,
  type CircuitState,
  type Permit,
} from '../types.js';
import { markerTtl, type Operation, type StoreHub } from './hub.js';
import { NO_ANSWER } from './link.js';
import { BREAKER_SCRIPT } from './scripts.js';

/** The fleet's circuit as this process last heard of it. */
interface SharedCircuit {
  state: CircuitState;
  /** When the break ends, on this process's monotonic clock (Redis sent the time left). */
  breakEndsAt: number;
  incarnation: string;
  version: number;
}

type BreakerOp = 'record' | 'acquire' | 'probe' | 'release' | 'sync';

/**
 * A scope's circuit shared by the fleet. Closed, it answers from the state it last heard of (a
 * published transition, or the reply to a flush) with no I/O; outcomes are counted locally and
 * flushed in batches, and the breaker script opens the fleet's circuit on the fleet's counts.
 * Half-open, a probe slot is asked of Redis. The local breaker is fed every outcome all along and
 * takes over while Redis does not answer, or before this process has heard the fleet's state.
 */
export class RedisBreaker implements BreakerGuard {
  private readonly local: CircuitBreaker;
  private readonly keys: readonly [string, string];
  private shared: SharedCircuit | undefined;
  /** The state last told to the listener. */
  private told: CircuitState = 'closed';
  /** Probes granted by Redis and not yet recorded or released (the others are the local breaker's). */
  private sharedProbes = 0;
  private attempts = 0;
  private failures = 0;
  private pendingSince = 0;
  /** The first read of the fleet's state, while it is under way. */
  private joining: Promise<void> | undefined;
  /** Every probe slot was taken when last asked: no asking again until then. */
  private probesTakenUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly hub: StoreHub,
    private readonly scope: string,
    private readonly settings: BreakerSettings,
    private readonly listener: CircuitListener,
  ) {
    this.local = new CircuitBreaker(settings, () => this.tell(), hub.now);
    this.keys = [hub.key('breaker', scope), hub.key('breaker', scope, 'window')];
  }

  state(): CircuitState {
    this.tell();
    return this.told;
  }

  tryAcquire(): Permit | Promise<Permit> {
    // A scope new to this process (or the fleet just rejoined): wait for its state, within timeoutMs.
    if (this.joining !== undefined && this.shared === undefined)
      return this.joining.then(() => this.tryAcquire());
    if (!this.fleetWide()) return this.acquireLocally();
    const state = this.sharedState();
    this.tell();
    if (state === 'closed') return PASS;
    if (state === 'open' || this.hub.now() < this.probesTakenUntil) return REJECT;
    return this.call('acquire').then((answer) => {
      if (answer === undefined) return this.acquireLocally();
      const permit = Number(answer[4]) as Permit;
      if (permit === PROBE) this.sharedProbes += 1;
      else if (permit === REJECT) this.probesTakenUntil = this.hub.now() + this.hub.flushMs;
      return permit === PASS || permit === PROBE ? permit : REJECT;
    });
  }

  record(failed: boolean, probe: boolean): void {
    if (probe && this.sharedProbes > 0) {
      this.sharedProbes -= 1;
      this.local.record(failed, false);
      void this.call('probe', 1, failed ? 1 : 0, true);
    } else {
      this.local.record(failed, probe);
      if (!probe) {
        if (this.attempts === 0) this.pendingSince = this.hub.now();
        this.attempts += 1;
        if (failed) this.failures += 1;
      }
    }
    this.tell();
  }

  release(probe: boolean): void {
    if (!probe) return;
    if (this.sharedProbes > 0) {
      this.sharedProbes -= 1;
      void this.call('release', 0, 0, true);
    } else {
      this.local.release(true);
    }
  }

  retryAfterMs(): number {
    if (!this.fleetWide()) return this.local.retryAfterMs();
    const shared = this.shared as SharedCircuit;
    if (this.sharedState() !== 'open') return 0;
    return Math.max(0, Math.ceil(shared.breakEndsAt - this.hub.now()));
  }

  /** The outcomes to flush, if any. */
  takeOperation(): Operation | undefined {
    if (this.attempts === 0) return undefined;
    const { attempts, failures, pendingSince } = this;
    this.attempts = 0;
    this.failures = 0;
    // Outcomes older than the window would count where they no longer belong: dropped.
    if (this.hub.now() - pendingSince > this.settings.samplingDurationMs) return undefined;
    return this.operation('record', attempts, failures, pendingSince, true);
  }

  /** Reads the fleet's state, e.g. on joining or rejoining. `forget`: trust nothing heard before. */
  sync(forget: boolean): Promise<void> {
    if (forget) this.shared = undefined;
    const reading = this.call('sync').then(() => undefined);
    if (this.shared !== undefined) return reading;
    const joining = reading.finally(() => {
      if (this.joining === joining) this.joining = undefined;
    });
    this.joining = joining;
    return joining;
  }

  /** A transition published by another process. */
  heard(state: CircuitState, leftMs: number, incarnation: string, version: number): void {
    this.learn(state, leftMs, incarnation, version);
  }

  private acquireLocally(): Permit {
    const permit = this.local.tryAcquire();
    this.tell();
    return permit;
  }

  /** Redis answers, and this process has heard the fleet's state since it (re)joined. */
  private fleetWide(): boolean {
    return this.shared !== undefined && this.hub.link.up;
  }

  private sharedState(): CircuitState {
    const shared = this.shared as SharedCircuit;
    if (shared.state === 'open' && this.hub.now() >= shared.breakEndsAt) return 'half-open';
    return shared.state;
  }

  /** Tells the listener when the state this process goes by has changed. */
  private tell(): void {
    const state = this.fleetWide() ? this.sharedState() : this.local.state();
    if (state === this.told) return;
    const from = this.told;
    this.told = state;
    this.listener(from, state);
  }

  /** Newer news only: same incarnation and a version not older (a new incarnation: Redis restarted). */
  private learn(state: CircuitState, leftMs: number, incarnation: string, version: number): void {
    const shared = this.shared;
    if (shared !== undefined && shared.incarnation === incarnation && version < shared.version) return;
    this.shared = { state, breakEndsAt: this.hub.now() + leftMs, incarnation, version };
    if (state !== 'half-open') this.probesTakenUntil = Number.NEGATIVE_INFINITY;
    this.tell();
  }

  private async call(
    op: BreakerOp,
    attempts = 0,
    failures = 0,
    counted = false,
  ): Promise<readonly unknown[] | undefined> {
    const operation = this.operation(op, attempts, failures, this.hub.now(), counted);
    const answer = await (counted
      ? this.hub.send(operation)
      : this.hub.link.run(operation.script, operation.keys, operation.args));
    if (answer === NO_ANSWER) return undefined;
    if (!counted) operation.onAnswer?.(answer);
    return answer;
  }

  private operation(
    op: BreakerOp,
    attempts: number,
    failures: number,
    bornAt: number,
    counted: boolean,
  ): Operation {
    const s = this.settings;
    const hub = this.hub;
    const maxAgeMs = counted ? s.samplingDurationMs : 0;
    return {
      script: BREAKER_SCRIPT,
      keys: [...this.keys, counted ? hub.marker() : hub.key('op', '-')],
      args: [
        op,
        String(s.failureRatio),
        String(s.minimumThroughput),
        String(s.samplingDurationMs),
        String(s.breakDurationMs),
        String(s.maxBreakDurationMs),
        String(s.halfOpenProbes),
        String(attempts),
        String(failures),
        hub.channel,
        this.scope,
        hub.sender,
        counted ? markerTtl(maxAgeMs) : '0',
      ],
      bornAt,
      maxAgeMs,
      onAnswer: (answer) =>
        this.learn(
          String(answer[0]) as CircuitState,
          Number(answer[1]),
          String(answer[2]),
          Number(answer[3]),
        ),
    };
  }
}
