import { randomUUID } from 'node:crypto';
import { monotonicNow } from '../../guards/clock.js';
import type {
  BreakerGuard,
  BreakerSettings,
  BudgetGuard,
  BudgetSettings,
  CircuitListener,
  CircuitState,
  PacerGuard,
  PauseListener,
  ResilienceStore,
} from '../types.js';
import { adapterFor, type RedisAdapter } from './adapter.js';
import { RedisBreaker } from './breaker.js';
import { RedisBudget } from './budget.js';
import type { Operation, StoreHub } from './hub.js';
import { NO_ANSWER, StoreLink, type Answer, type StoreLogger } from './link.js';
import { RedisPacer } from './pacer.js';
import { BREAKER_SCRIPT, BUDGET_SCRIPT, PAUSE_SCRIPT } from './scripts.js';

/** Operations kept for a later flush after no answer, at most (the oldest are dropped). */
const MAX_KEPT = 256;
/** Scopes heard of without a guard in this process, remembered at most. */
const MAX_UNCLAIMED = 1000;

export interface RedisStoreSettings {
  readonly prefix: string;
  readonly flushMs: number;
  readonly timeoutMs: number;
  readonly logger: StoreLogger | undefined;
}

/**
 * The fleet store: guards that answer from local state, a timer that flushes their counts every
 * `flushMs`, and a subscription that brings every other process's transitions and pauses.
 */
export class RedisStore implements ResilienceStore, StoreHub {
  readonly link: StoreLink;
  readonly flushMs: number;
  readonly sender = randomUUID();
  readonly channel: string;
  readonly now = monotonicNow;
  private readonly adapter: RedisAdapter;
  private readonly tag: string;
  private sequence = 0;
  private readonly budgets: RedisBudget[] = [];
  private readonly breakers = new Map<string, { guard: RedisBreaker; listeners: CircuitListener[] }>();
  private readonly pacers = new Map<string, { guard: RedisPacer; listeners: PauseListener[] }>();
  private kept: Operation[] = [];
  /** News of scopes this process has no guard for yet: a guard made later starts from it. */
  private readonly unclaimed = {
    breakers: new Map<string, HeardCircuit>(),
    pauses: new Map<string, number>(),
  };
  private flushing: Promise<void> | undefined;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(client: unknown, settings: RedisStoreSettings) {
    this.adapter = adapterFor(client);
    this.flushMs = settings.flushMs;
    this.tag = `{${settings.prefix}}`;
    this.channel = this.key('events');
    this.link = new StoreLink(this.adapter, settings.timeoutMs, settings.logger, () => this.resync(true));
    this.adapter.subscribe(
      this.channel,
      (message) => this.hear(message),
      () => this.resync(false),
      // The subscriber reconnects by itself; until then, replies to flushes keep the state fresh.
      () => undefined,
    );
    for (const script of [BUDGET_SCRIPT, BREAKER_SCRIPT, PAUSE_SCRIPT])
      this.adapter.load(script).catch(() => undefined);
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    if (typeof this.timer === 'object' && typeof this.timer.unref === 'function') this.timer.unref();
  }

  retryBudget(settings: BudgetSettings): BudgetGuard {
    const budget = new RedisBudget(this, settings);
    this.budgets.push(budget);
    return budget;
  }

  circuitBreaker(scope: string, settings: BreakerSettings, listener: CircuitListener): BreakerGuard {
    let entry = this.breakers.get(scope);
    if (entry === undefined) {
      const listeners: CircuitListener[] = [];
      const tell = (from: CircuitState, to: CircuitState): void => listeners.forEach((l) => l(from, to));
      const guard = new RedisBreaker(this, scope, settings, tell);
      this.breakers.set(scope, (entry = { guard, listeners }));
      const heard = this.unclaimed.breakers.get(scope);
      if (heard !== undefined) {
        this.unclaimed.breakers.delete(scope);
        guard.heard(
          heard.state,
          Math.max(0, heard.ms - (this.now() - heard.at)),
          heard.incarnation,
          heard.version,
        );
      }
      void guard.sync(false);
    }
    if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
    return entry.guard;
  }

  scopePacer(scope: string, listener: PauseListener): PacerGuard {
    let entry = this.pacers.get(scope);
    if (entry === undefined) {
      const listeners: PauseListener[] = [];
      const guard = new RedisPacer(this, scope, (waitMs) => listeners.forEach((l) => l(waitMs)));
      this.pacers.set(scope, (entry = { guard, listeners }));
      const endsAt = this.unclaimed.pauses.get(scope);
      this.unclaimed.pauses.delete(scope);
      if (endsAt !== undefined && endsAt > this.now()) guard.paused(endsAt - this.now());
      void guard.sync();
    }
    if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
    return entry.guard;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush(true);
    this.link.close();
    await this.adapter.close();
  }

  key(...parts: string[]): string {
    return [this.tag, ...parts].join(':');
  }

  marker(): string {
    this.sequence += 1;
    return this.key('op', `${this.sender}.${this.sequence}`);
  }

  async send(operation: Operation): Promise<Answer> {
    const answer = await this.link.run(operation.script, operation.keys, operation.args);
    if (answer !== NO_ANSWER) operation.onAnswer?.(answer);
    else if (operation.maxAgeMs > 0) {
      this.kept.push(operation);
      if (this.kept.length > MAX_KEPT) this.kept.shift();
    }
    return answer;
  }

  /** Sends every batch pending, and what got no answer before (same ids); probes Redis while down. */
  flush(final = false): Promise<void> {
    if (this.flushing !== undefined) return final ? this.flushing.then(() => this.flush()) : this.flushing;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (!this.link.up) {
      if (this.closed) return;
      await this.link.probe();
      if (!this.link.up) return;
    }
    const now = this.now();
    const operations = this.kept.filter((operation) => now - operation.bornAt < operation.maxAgeMs);
    this.kept = [];
    for (const budget of this.budgets) {
      const operation = budget.takeOperation();
      if (operation !== undefined) operations.push(operation);
    }
    for (const { guard } of this.breakers.values()) {
      const operation = guard.takeOperation();
      if (operation !== undefined) operations.push(operation);
    }
    await Promise.all(operations.map((operation) => this.send(operation)));
  }

  /** After an outage (`forget`: what was heard before is stale) or a resubscription. */
  private resync(forget: boolean): void {
    if (this.closed) return;
    for (const { guard } of this.breakers.values()) void guard.sync(forget);
    for (const { guard } of this.pacers.values()) void guard.sync();
  }

  private hear(raw: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message.from === this.sender || typeof message.scope !== 'string') return;
    const ms = Number(message.ms);
    if (!(ms >= 0)) return;
    const scope = message.scope;
    const incarnation = String(message.incarnation);
    const version = Number(message.version);
    if (message.kind === 'pause') {
      const pacer = this.pacers.get(scope);
      if (pacer !== undefined) pacer.guard.paused(ms);
      else remember(this.unclaimed.pauses, scope, this.now() + ms);
    } else if (message.kind === 'breaker' && isState(message.state)) {
      const breaker = this.breakers.get(scope);
      if (breaker !== undefined) breaker.guard.heard(message.state, ms, incarnation, version);
      else
        remember(this.unclaimed.breakers, scope, {
          state: message.state,
          ms,
          incarnation,
          version,
          at: this.now(),
        });
    }
  }
}

interface HeardCircuit {
  state: CircuitState;
  ms: number;
  incarnation: string;
  version: number;
  /** When it was heard (monotonic). */
  at: number;
}

/** Keeps the latest news of at most MAX_UNCLAIMED scopes (the oldest go first). */
function remember<T>(map: Map<string, T>, scope: string, value: T): void {
  map.delete(scope);
  map.set(scope, value);
  if (map.size > MAX_UNCLAIMED) map.delete(map.keys().next().value as string);
}

function isState(value: unknown): value is CircuitState {
  return value === 'closed' || value === 'open' || value === 'half-open';
}
