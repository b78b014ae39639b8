/**
 * Where the plugin keeps the state that may be shared: the retry budget, the circuit breakers and
 * the scope pauses. The in-memory store is the default (one per attached instance); the Redis store
 * (`axios-resilience/redis`) shares it across a fleet.
 *
 * Rules every implementation keeps, because the plugin calls these on every request:
 * - Methods that return a plain value answer from local state, synchronously, with no I/O.
 * - Only `tryAcquireRetry()` and a half-open `tryAcquire()` may return a promise (they may ask the
 *   store), and a fleet store's `tryAcquire()` of a scope whose shared state it has not read yet
 *   (once per scope, and after an outage); such a promise always settles within the store's own
 *   `timeoutMs`, never rejects, and falls back to a local answer when the store does not answer in
 *   time.
 */
export interface ResilienceStore {
  /** The retry budget of one attached instance (a fleet store shares one per prefix). */
  retryBudget(options: BudgetSettings): BudgetGuard;
  /** The circuit breaker of `scope`, created on first use. */
  circuitBreaker(scope: string, options: BreakerSettings, listener: CircuitListener): BreakerGuard;
  /** The pause and pacing window of `scope`, created on first use. */
  scopePacer(scope: string, listener: PauseListener): PacerGuard;
  /** Flushes what is pending and stops the store's timers; does not close a client it was given. */
  close(): Promise<void>;
}

export interface BudgetSettings {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
}

export interface BudgetGuard {
  /** A logical request is about to be sent for the first time. Local, synchronous. */
  recordRequest(): void;
  /** May one more retry (or hedge) be sent now? Takes it from the budget when it may. */
  tryAcquireRetry(): boolean | Promise<boolean>;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  readonly failureRatio: number;
  readonly minimumThroughput: number;
  readonly samplingDurationMs: number;
  readonly breakDurationMs: number;
  readonly maxBreakDurationMs: number;
  readonly halfOpenProbes: number;
}

/** What `BreakerGuard.tryAcquire()` answers. Numbers, so the closed path allocates nothing. */
export const PASS = 0;
export const PROBE = 1;
export const REJECT = 2;
export type Permit = typeof PASS | typeof PROBE | typeof REJECT;

export interface BreakerGuard {
  /** The state as this process sees it now. */
  state(): CircuitState;
  /**
   * Before an attempt: `PASS` (closed: send it), `PROBE` (half-open: send it as one of the
   * `halfOpenProbes` trial attempts; its outcome must be recorded with `probe = true`) or `REJECT`.
   */
  tryAcquire(): Permit | Promise<Permit>;
  /** After an attempt that was sent: `failed` as the contract defines a breaker failure. */
  record(failed: boolean, probe: boolean): void;
  /** A probe that was granted but never sent, or canceled: gives its slot back. */
  release(probe: boolean): void;
  /** Time left in the current break (0 when not open). */
  retryAfterMs(): number;
}

export type CircuitListener = (from: CircuitState, to: CircuitState) => void;

export interface PacerGuard {
  /**
   * Before an attempt: how long it must wait for its scope, in ms (0: send it now, and it is
   * counted in flight until `settle()`). A non-zero answer reserves nothing: wait that long, then
   * call `acquire()` again (another attempt may have taken the slot meanwhile).
   */
  acquire(): number;
  /**
   * The server named a wait for the whole scope (429, or 503 naming one): paused until
   * `max(current end, now + waitMs)`; the listener hears of it when the pause is extended.
   */
  pause(waitMs: number): void;
  /**
   * The server said `remaining` units are left for `resetMs`: until then at most `remaining`
   * minus the attempts in flight now may start. Replaces the previous window. Settle the attempt
   * that brought the answer before calling this.
   */
  observeQuota(remaining: number, resetMs: number): void;
  /** An attempt that `acquire()` let through has its answer (or failed): frees its in-flight slot. */
  settle(): void;
}

export type PauseListener = (waitMs: number) => void;
