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
