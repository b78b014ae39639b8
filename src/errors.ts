import { AxiosError, type InternalAxiosRequestConfig } from 'axios';

const BRAND = Symbol.for('axios-resilience.StreamResumeError');

/**
 * A streamed body broke and could not be continued safely (or resuming was off). The stream the
 * caller holds errors with this; it never ends early as if complete.
 */
export class StreamResumeError extends Error {
  override readonly name = 'StreamResumeError';
  readonly code = 'ERR_STREAM_RESUME' as const;
  /** Bytes of the body delivered to the caller before the failure. */
  readonly bytesReceived: number;
  declare readonly cause: unknown;

  constructor(message: string, bytesReceived: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.bytesReceived = bytesReceived;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for a `StreamResumeError` from any copy of this package (checks a brand, not `instanceof`). */
export function isStreamResumeError(value: unknown): value is StreamResumeError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

const CIRCUIT_BRAND = Symbol.for('axios-resilience.CircuitOpenError');
const RATE_LIMITED_BRAND = Symbol.for('axios-resilience.RateLimitedError');

/**
 * A call not sent because its scope's circuit is open. An `AxiosError` (so `axios.isAxiosError`
 * holds), with `config`, no `response`.
 */
export class CircuitOpenError extends AxiosError {
  override readonly name = 'CircuitOpenError';
  override readonly code = 'ERR_CIRCUIT_OPEN' as const;
  /** The scope whose circuit is open (by default the origin, e.g. `https://api.example.com:443`). */
  readonly scope: string;
  /** Time left in the break; 0 while half-open with every probe slot taken. */
  readonly retryAfterMs: number;

  constructor(config: InternalAxiosRequestConfig, scope: string, retryAfterMs: number) {
    super(
      `axios-resilience: not sent, the circuit for ${scope} is open (retry in ${retryAfterMs} ms)`,
      'ERR_CIRCUIT_OPEN',
      config,
    );
    this.scope = scope;
    this.retryAfterMs = retryAfterMs;
    Object.defineProperty(this, CIRCUIT_BRAND, { value: true });
  }
}

/**
 * A new call not sent because its scope is paused (the server said 429, or 503 with a wait)
 * for longer than `maxRetryAfterMs` allows, or past its `deadlineMs`. An `AxiosError`.
 */
export class RateLimitedError extends AxiosError {
  override readonly name = 'RateLimitedError';
  override readonly code = 'ERR_RATE_LIMITED' as const;
  readonly scope: string;
  /** How long the scope is paused for. */
  readonly retryAfterMs: number;

  constructor(config: InternalAxiosRequestConfig, scope: string, retryAfterMs: number) {
    super(
      `axios-resilience: not sent, ${scope} asked to wait ${retryAfterMs} ms`,
      'ERR_RATE_LIMITED',
      config,
    );
    this.scope = scope;
    this.retryAfterMs = retryAfterMs;
    Object.defineProperty(this, RATE_LIMITED_BRAND, { value: true });
  }
}

/** True for a `CircuitOpenError` from any copy of this package (checks a brand, not `instanceof`). */
export function isCircuitOpenError(value: unknown): value is CircuitOpenError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CIRCUIT_BRAND] === true
  );
}

/** True for a `RateLimitedError` from any copy of this package (checks a brand, not `instanceof`). */
export function isRateLimitedError(value: unknown): value is RateLimitedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[RATE_LIMITED_BRAND] === true
  );
}
