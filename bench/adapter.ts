import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse } from 'axios';

/** The header that names a logical request, so the adapter can tell a first attempt from a retry. */
export const BENCH_ID = 'x-bench-id';

/**
 * An axios adapter that answers at once, in memory: no sockets, so only the client's own work is
 * timed. With `failFirst`, the first attempt of each logical request (by `x-bench-id`) gets a 503
 * and the next one a 200.
 */
export function memoryAdapter(failFirst: boolean): AxiosAdapter {
  const failed = new Set<string>();
  return (config) => {
    let status = 200;
    if (failFirst) {
      const id = String(config.headers.get(BENCH_ID));
      if (failed.delete(id)) status = 200;
      else {
        failed.add(id);
        status = 503;
      }
    }
    const response: AxiosResponse = {
      data: status === 200 ? '{"ok":true}' : '{"error":"unavailable"}',
      status,
      statusText: status === 200 ? 'OK' : 'Service Unavailable',
      headers: new AxiosHeaders(),
      config,
      request: {},
    };
    if (status === 200) return Promise.resolve(response);
    return Promise.reject(
      new AxiosError(
        `Request failed with status code ${status}`,
        AxiosError.ERR_BAD_RESPONSE,
        config,
        {},
        response,
      ),
    );
  };
}
