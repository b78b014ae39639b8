import type { Readable } from 'node:stream';
import {
  createResilientAxiosWith,
  type ResilientAxiosBase,
  type ResilientAxiosOptions,
} from '../axios/factory.js';
import { downloadToFile } from './download.js';
import { openStream } from './stream.js';

/** From the Node entry: `stream()` gives Node's `Readable`, resumable with `resume: true`. */
export type ResilientAxiosInstance = ResilientAxiosBase<Readable>;

/**
 * `axios.create(options.axios)` with resilience attached. On Node, unless agents are given, it
 * uses keep-alive agents with bounded sockets (`options.pool`).
 *
 * @example
 * const api = createResilientAxios({ retries: 3, axios: { baseURL, timeout: 10_000 } });
 * const { data } = await api.get('/items');
 * await api.close();
 */
export function createResilientAxios(options: ResilientAxiosOptions = {}): ResilientAxiosInstance {
  return createResilientAxiosWith<Readable>(options, { stream: openStream, download: downloadToFile });
}
