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
  status: number | undefined,
  hasRetryAfter: boolean,
): FailureFacts {
  return {
    method: (config.method ?? 'get').toUpperCase(),
    status,
    code: error.code ?? (error.cause as { code?: string } | undefined)?.code,
    canceled: isCanceled(error, config),
    bodyReplayable: earlierBodiesReplayable && isReplayableBody(config.data),
    idempotencyKey: hasHeader(config.headers, 'idempotency-key'),
    hasRetryAfter,
  };
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
