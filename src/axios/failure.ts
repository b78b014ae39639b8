import type { AxiosError, InternalAxiosRequestConfig } from 'axios';
import type { FailureFacts } from '../policy/classify.js';
import { headerValue } from '../policy/headers.js';

// Reading what `classify` needs off a failed axios attempt.

/** The AxiosError itself, or one an interceptor wrapped as `cause`. */
export function axiosErrorIn(caught: unknown): AxiosError | undefined {
  const error = caught as { config?: unknown; cause?: { config?: unknown } } | null | undefined;
  if (error?.config !== undefined) return caught as AxiosError;
  if (error?.cause?.config !== undefined) return error.cause as AxiosError;
  return undefined;
}

export function failureFacts(
  error: AxiosError,
  config: InternalAxiosRequestConfig,
  earlierBodiesReplayable: boolean,
  hasRetryAfter: boolean,
): FailureFacts {
  const status = error.response?.status;
  // A response the status check accepted, then an error: the body broke after the headers.
  const inTransit = status !== undefined && statusAccepted(config, status);
  return {
    method: (config.method ?? 'get').toUpperCase(),
    status: inTransit ? undefined : status,
    ...codesOf(error),
    inTransit,
    canceled: isCanceled(error, config),
    bodyReplayable: earlierBodiesReplayable && isReplayableBody(config.data),
    idempotencyKey: hasHeader(config.headers, 'idempotency-key'),
    hasRetryAfter,
  };
}

function statusAccepted(config: InternalAxiosRequestConfig, status: number): boolean {
  const validate = config.validateStatus;
  if (validate === null || validate === undefined) return true;
  try {
    return validate(status) === true;
  } catch {
    return false;
  }
}

/** undici (under the `fetch` adapter) names socket failures its own way. */
const UNDICI_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

/**
 * The codes on the error and down its `cause` chain: the `fetch` adapter reports `ERR_NETWORK`
 * and keeps the socket's `ECONNREFUSED` on `cause` (undici nests one level more).
 */
function codesOf(error: AxiosError): { code: string | undefined; causeCodes: readonly string[] } {
  const codes: string[] = [];
  let link: unknown = error;
  for (let depth = 0; depth < 4 && link !== null && typeof link === 'object'; depth++) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') codes.push(UNDICI_CODES[code] ?? code);
    link = (link as { cause?: unknown }).cause;
  }
  return { code: codes[0], causeCodes: codes.slice(1) };
}

function isCanceled(error: AxiosError, config: InternalAxiosRequestConfig): boolean {
  return (
    (error as { __CANCEL__?: boolean }).__CANCEL__ === true ||
    error.code === 'ERR_CANCELED' ||
    config.signal?.aborted === true ||
    config.cancelToken?.reason !== undefined
  );
}

/** A body that was a stream or an iterator is consumed by the first attempt: never resend it. */
export function isReplayableBody(data: unknown): boolean {
  if (data === null || typeof data !== 'object') return true;
  const body = data as Record<string | symbol, unknown>;
  if (typeof body.pipe === 'function') return false; // Node Readable, form-data
  if (typeof body.getReader === 'function') return false; // web ReadableStream
  return typeof body[Symbol.asyncIterator] !== 'function';
}

export function hasHeader(headers: unknown, name: string): boolean {
  return headerValue(headers, name) !== undefined;
}
