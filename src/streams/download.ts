import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { randomIdempotencyKey } from '../options.js';
import type { ResilienceOptions } from '../types.js';
import type { DownloadResult } from '../axios/factory.js';
import { nodeBuiltin } from '../axios/node-builtin.js';
import { openResumable } from './stream.js';

/**
 * Writes `url` to a temp file beside `path`, resuming after cuts unless `resilience.resume` is
 * `false`, and renames it to `path` only once every byte arrived; on failure the temp file is
 * deleted, so `path` never holds a partial body.
 */
export async function downloadToFile(
  instance: AxiosInstance,
  url: string,
  path: string,
  config: AxiosRequestConfig | undefined,
  defaults: ResilienceOptions,
): Promise<DownloadResult> {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const streams = nodeBuiltin<typeof import('node:stream')>('node:stream');
  if (!fs || !streams) throw new Error('download() needs Node.js 20.16 or later');
  const perRequest = config?.resilience;
  const resilience = perRequest === false ? false : { ...perRequest, resume: perRequest?.resume ?? true };
  const opened = await openResumable(instance, 'GET', url, { ...config, resilience }, defaults);
  // Same directory, so the final rename is atomic; 'wx' never overwrites someone else's file.
  const temp = `${path}.${randomIdempotencyKey().slice(0, 8)}.part`;
  try {
    await streams.promises.pipeline(opened.response.data, fs.createWriteStream(temp, { flags: 'wx' }));
    await fs.promises.rename(temp, path);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  return { path, bytes: opened.progress.received, resumes: opened.progress.resumes };
}
