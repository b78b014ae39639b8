import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { ResilienceOptions } from './options.js';

/** What `download()` resolves to. */
export interface DownloadResult {
  path: string;
  bytes: number;
  resumes: number;
}

/** Opens a streamed response; retryable failures before the body starts are retried. */
export function openStream<T>(
  instance: AxiosInstance,
  method: string,
  url: string,
  config: AxiosRequestConfig | undefined,
  _defaults: ResilienceOptions,
): Promise<AxiosResponse<T>> {
  return instance.request<T>({ ...config, method, url, responseType: 'stream' });
}

export async function downloadToFile(
  _instance: AxiosInstance,
  _url: string,
  _path: string,
  _config: AxiosRequestConfig | undefined,
  _defaults: ResilienceOptions,
): Promise<DownloadResult> {
  throw new Error('download() is not implemented yet');
}
