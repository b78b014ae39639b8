import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import {
  createResilientAxiosWith,
  type DownloadResult,
  type ResilientAxiosBase,
  type ResilientAxiosOptions,
} from './factory.js';

/**
 * From the browser entry: `stream()` gives what axios gives for `responseType: 'stream'` (a web
 * `ReadableStream` with the `fetch` adapter); its body is not resumed, and `download()` rejects.
 */
export type ResilientAxiosInstance = ResilientAxiosBase<ReadableStream<Uint8Array>>;

/** Retried while opening, like any request; the body is axios's own. */
function openPlainStream(
  instance: AxiosInstance,
  method: string,
  url: string,
  config: AxiosRequestConfig | undefined,
): Promise<AxiosResponse> {
  return instance.request({ ...config, method, url, responseType: 'stream' });
}

async function noDownload(): Promise<DownloadResult> {
  throw new Error('download() needs Node.js 20.16 or later (it writes a file)');
}

/**
 * `axios.create(options.axios)` with resilience attached: the entry point bundlers use for the
 * browser, without Node's stream and download code.
 *
 * @example
 * const api = createResilientAxios({ retries: 3, axios: { baseURL, timeout: 10_000 } });
 * const { data } = await api.get('/items');
 */
export function createResilientAxios(options: ResilientAxiosOptions = {}): ResilientAxiosInstance {
  return createResilientAxiosWith<ReadableStream<Uint8Array>>(options, {
    stream: openPlainStream,
    download: noDownload,
  });
}
