import { CanceledError, type AxiosError, type InternalAxiosRequestConfig } from 'axios';

/** Waits `ms`, or rejects at once with axios's `CanceledError` when the request is aborted. */
export function sleep(ms: number, config: InternalAxiosRequestConfig): Promise<void> {
  const signal = config.signal;
  const token = config.cancelToken;
  if (signal?.aborted) return Promise.reject(canceledError(config));
  if (token?.reason) return Promise.reject(canceledError(config, token.reason));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const cancel = (reason?: unknown): void => {
      clearTimeout(timer);
      cleanup();
      reject(canceledError(config, reason));
    };
    const onAbort = (): void => cancel();
    const cleanup = (): void => {
      signal?.removeEventListener?.('abort', onAbort);
      token?.unsubscribe(cancel);
    };
    const timer = setTimeout(() => {
      cleanup();
      resolve();
    }, ms);
    signal?.addEventListener?.('abort', onAbort);
    token?.subscribe(cancel);
  });
}

/**
 * A `CanceledError` carrying this request's config (so `getRetryState` can read it), with the
 * CancelToken's message when there is one; the token's own error is shared and has no config.
 */
function canceledError(config: InternalAxiosRequestConfig, reason?: unknown): AxiosError {
  const message = (reason as { message?: unknown } | undefined)?.message;
  return new CanceledError(typeof message === 'string' ? message : undefined, config);
}
