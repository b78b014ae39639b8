import type { RedisAdapter } from './adapter.js';
import type { LuaScript } from './scripts.js';

/** What the store tells of outages: `warn` once when one starts, `info` when it ends. */
export interface StoreLogger {
  warn(message: string, ...meta: unknown[]): void;
  info?(message: string, ...meta: unknown[]): void;
}

/** A script call that did not answer in time, or failed: the caller falls back to local state. */
export const NO_ANSWER: unique symbol = Symbol('no answer');
export type Answer = readonly unknown[] | typeof NO_ANSWER;

/**
 * The store's line to Redis: every call bounded by `timeoutMs` with our own timer (a client's own
 * timeout does not cancel a command it already wrote), and the outage state.
 *
 * Up: calls go to Redis. The first call that fails or is late marks the line down and warns once.
 * Down: nothing is sent but a `PING` now and then (`probe()`, from the flush timer); the first one
 * answered in time brings the line up again, tells `onRejoin`, and logs it at `info`.
 */
export class StoreLink {
  private down = false;
  private closed = false;

  constructor(
    private readonly adapter: RedisAdapter,
    readonly timeoutMs: number,
    private readonly logger: StoreLogger | undefined,
    private readonly onRejoin: () => void,
  ) {}

  get up(): boolean {
    return !this.down;
  }

  /** Runs a script within `timeoutMs`; `NO_ANSWER` when the line is down, late or failing. */
  async run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<Answer> {
    if (this.down) return NO_ANSWER;
    const outcome = await this.bounded(this.adapter.run(script, keys, args));
    if (outcome.ok && Array.isArray(outcome.value)) return outcome.value;
    this.fail(outcome.ok ? `the ${script.name} script answered ${String(outcome.value)}` : outcome.reason);
    return NO_ANSWER;
  }

  /** While down: one `PING`; up again when it answers in time. */
  async probe(): Promise<void> {
    if (!this.down || this.closed) return;
    const outcome = await this.bounded(this.adapter.ping());
    if (!outcome.ok || !this.down || this.closed) return;
    this.down = false;
    this.logger?.info?.('axios-resilience: the Redis store answers again; sharing state with the fleet');
    this.onRejoin();
  }

  /** The store is closed: nothing more is sent, and nothing is logged. */
  close(): void {
    this.closed = true;
    this.down = true;
  }

  /** Marks the line down (warns once per outage). */
  fail(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.logger?.warn(
      `axios-resilience: the Redis store is not answering (${reason}); working on local state until it does`,
    );
  }

  private bounded(
    pending: Promise<unknown>,
  ): Promise<{ ok: true; value: unknown } | { ok: false; reason: string }> {
    return new Promise((resolve) => {
      // When the timer fires, a reply that came during a busy spell may still wait in the socket:
      // one turn of the event loop (setImmediate runs after I/O) lets it be read before giving up.
      const timer = setTimeout(
        () => setImmediate(() => resolve({ ok: false, reason: `no answer within ${this.timeoutMs} ms` })),
        this.timeoutMs,
      );
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ ok: false, reason: String((error as { message?: unknown } | null)?.message ?? error) });
        },
      );
    });
  }
}
