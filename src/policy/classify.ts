import type { ResolvedOptions } from '../options.js';
import type { GiveUpReason, RetryReason } from '../types.js';

/** Statuses the seed retried: request timeout, rate limit, and gateway/availability errors. */
export const RETRYABLE_STATUS_CODES: readonly number[] = Object.freeze([408, 429, 502, 503, 504]);

/** Statuses the seed never retried: the request itself is wrong, retrying cannot help. */
export const NON_RETRYABLE_STATUS_CODES: readonly number[] = Object.freeze([400, 401, 403, 404, 405, 406]);

/** Failures that prove a request never reached the application, so any method may be resent. */
const NOT_PROCESSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

/** What the interceptor learned about one failed attempt; everything `classify` needs. */
export interface FailureFacts {
  /** Upper-case request method. */
  readonly method: string;
  /** Response status, or `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** `AxiosError.code`. */
  readonly code: string | undefined;
  /** Codes further down the error's `cause` chain (the `fetch` adapter keeps the socket's there). */
  readonly causeCodes?: readonly string[];
  /** The status check accepted the response, then its body failed in transit (reset, stall, cut). */
  readonly inTransit?: boolean;
  readonly canceled: boolean;
  readonly bodyReplayable: boolean;
  /** The request carries an `Idempotency-Key` header. */
  readonly idempotencyKey: boolean;
  /** The response carries a usable `Retry-After` (or rate-limit reset) header. */
  readonly hasRetryAfter: boolean;
}

export type Verdict =
  | { readonly retry: true; readonly reason: RetryReason }
  | { readonly retry: false; readonly reason: GiveUpReason };

const CANCELED: Verdict = Object.freeze({ retry: false, reason: 'canceled' });
const NOT_REPLAYABLE: Verdict = Object.freeze({ retry: false, reason: 'body-not-replayable' });
const NOT_RETRYABLE: Verdict = Object.freeze({ retry: false, reason: 'not-retryable' });

/**
 * Safety rules that hold whatever the policy: a canceled request is never resent, and neither is
 * a body that was consumed. Returns `undefined` when the policy may decide.
 */
export function safetyVerdict(facts: FailureFacts): Verdict | undefined {
  if (facts.canceled) return CANCELED;
  if (!facts.bodyReplayable) return NOT_REPLAYABLE;
  return undefined;
}

/** The default policy: is this failure worth another attempt, and why. Pure. */
export function classify(facts: FailureFacts, options: ResolvedOptions): Verdict {
  const unsafe = safetyVerdict(facts);
  if (unsafe) return unsafe;
  return facts.status === undefined ? classifyNoResponse(facts, options) : classifyStatus(facts, options);
}

function classifyStatus(facts: FailureFacts, options: ResolvedOptions): Verdict {
  const status = facts.status as number;
  if (facts.idempotencyKey) {
    // draft-ietf-httpapi-idempotency-key-header §2.7: 409 = the original is still being processed,
    // 422 = the key was reused with a different payload; resending cannot fix that.
    if (status === 409) return { retry: true, reason: 'status 409' };
    if (status === 422) return NOT_RETRYABLE;
  }
  if (!options.retryOnStatus.has(status)) return NOT_RETRYABLE;
  const reason = `status ${status}`;
  if (options.methods.has(facts.method) || facts.idempotencyKey) return { retry: true, reason };
  // RFC 6585 §4 (429) and RFC 9110 §15.6.4 (503 + Retry-After): the server refused the request
  // without processing it, so even a non-idempotent one is safe to resend.
  if (status === 429 || (status === 503 && facts.hasRetryAfter)) return { retry: true, reason };
  return NOT_RETRYABLE;
}

function classifyNoResponse(facts: FailureFacts, options: ResolvedOptions): Verdict {
  const repeatable = options.methods.has(facts.method) || facts.idempotencyKey;
  // A body that broke after the headers is a transport failure, whatever its code says.
  if (facts.inTransit) {
    return repeatable ? { retry: true, reason: `body ${facts.code ?? 'failed'}` } : NOT_RETRYABLE;
  }
  const code = firstCode(facts, options.retryOnErrorCodes);
  if (code === undefined) return NOT_RETRYABLE;
  if (repeatable) return { retry: true, reason: code };
  // A refused connection or failed DNS lookup means no byte reached the server.
  if (firstCode(facts, NOT_PROCESSED_CODES) !== undefined) return { retry: true, reason: code };
  return NOT_RETRYABLE;
}

/** The most specific of the error's codes (its causes' first, then its own) found in `wanted`. */
function firstCode(facts: FailureFacts, wanted: ReadonlySet<string>): string | undefined {
  const cause = facts.causeCodes?.find((code) => wanted.has(code));
  if (cause !== undefined) return cause;
  return facts.code !== undefined && wanted.has(facts.code) ? facts.code : undefined;
}
