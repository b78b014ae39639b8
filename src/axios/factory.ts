import axios, {
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type CreateAxiosDefaults,
  type Method,
} from 'axios';
import type { Agent as HttpAgent } from 'node:http';
import type { Readable } from 'node:stream';
import { attachResilience, type ResilienceHandle } from './plugin.js';
import { nodeBuiltin } from './node-builtin.js';
import { normalizePool } from '../options.js';
import type { PoolOptions, ResilienceOptions } from '../types.js';
import { downloadToFile, type DownloadResult } from '../streams/download.js';
import { openStream } from '../streams/stream.js';

export type { DownloadResult } from '../streams/download.js';

export interface ResilientAxiosOptions extends ResilienceOptions {
  /**
   * Passed to `axios.create()`.
   * @default {}
   */
  axios?: CreateAxiosDefaults | undefined;
  /**
   * Node only: the keep-alive agents' limits, used when `axios` gives no `httpAgent`/`httpsAgent`.
   * @default { maxSockets: 100, maxFreeSockets: 20, keepAliveMsecs: 1000 }
   */
  pool?: PoolOptions | undefined;
}

/** A plain axios instance with resilience attached, plus streaming helpers. */
export interface ResilientAxiosInstance extends AxiosInstance {
  /**
   * Opens `url` with `responseType: 'stream'`; retryable failures before the body starts are
   * retried. On Node, a body that breaks mid-way, stalls for `stallTimeoutMs` or ends short of its
   * `Content-Length` errors the stream with a `StreamResumeError`; with `resume: true` it is first
   * continued with `Range` + `If-Range` requests into the same stream (each one counts as a retry).
   * `onDownloadProgress` counts across resumes.
   */
  stream<T = Readable>(
    method: Method | string,
    url: string,
    config?: AxiosRequestConfig,
  ): Promise<AxiosResponse<T>>;
  /**
   * Node only: downloads `url` to `path`, resuming after cuts by default (`resilience: { resume:
   * false }` turns it off). Writes a temp file beside `path` and renames it on success, so a
   * failed download leaves no file at `path`.
   * @example const { bytes, resumes } = await api.download('/big.iso', './big.iso');
   */
  download(url: string, path: string, config?: AxiosRequestConfig): Promise<DownloadResult>;
  /** Frees the pooled sockets (Node). The instance stays usable; new sockets open on demand. */
  close(): Promise<void>;
  /** The resilience handle: `stats()`, `detach()`. */
  readonly resilience: ResilienceHandle;
}

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
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected options to be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const { axios: axiosConfig, pool, ...resilience } = options;
  if (axiosConfig !== undefined && (axiosConfig === null || typeof axiosConfig !== 'object')) {
    throw new TypeError(`Expected \`axios\` to be an axios config object, got ${String(axiosConfig)}`);
  }
  const limits = normalizePool(pool ?? {});
  const defaults: CreateAxiosDefaults = { ...axiosConfig };
  const agents: HttpAgent[] = [];
  if (defaults.httpAgent === undefined && defaults.httpsAgent === undefined) {
    const made = keepAliveAgents(limits);
    if (made) {
      defaults.httpAgent = made.http;
      defaults.httpsAgent = made.https;
      agents.push(made.http, made.https);
    }
  }
  const instance = axios.create(defaults);
  const handle = attachResilience(instance, resilience);
  const api = instance as ResilientAxiosInstance;
  Object.defineProperties(api, {
    resilience: { value: handle, enumerable: true },
    stream: {
      value: (method: string, url: string, config?: AxiosRequestConfig) =>
        openStream(instance, method, url, config, resilience),
    },
    download: {
      value: (url: string, path: string, config?: AxiosRequestConfig) =>
        downloadToFile(instance, url, path, config, resilience),
    },
    close: {
      value: async (): Promise<void> => {
        for (const agent of agents) agent.destroy();
      },
    },
  });
  return api;
}

/** Keep-alive agents, on Node only. */
function keepAliveAgents(pool: Required<PoolOptions>): { http: HttpAgent; https: HttpAgent } | undefined {
  const http = nodeBuiltin<typeof import('node:http')>('node:http');
  const https = nodeBuiltin<typeof import('node:https')>('node:https');
  if (!http || !https) return undefined;
  const agentOptions = { keepAlive: true, ...pool };
  return { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
}
