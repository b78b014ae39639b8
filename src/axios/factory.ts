import axios, {
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type CreateAxiosDefaults,
  type Method,
} from 'axios';
import { attachResilience, type ResilienceHandle } from './plugin.js';
import { nodeBuiltin } from './node-builtin.js';
import { normalizePool } from '../options.js';
import type { PoolOptions, ResilienceOptions } from '../types.js';

/** What `download()` resolves to. */
export interface DownloadResult {
  /** The file written (the `path` given). */
  path: string;
  /** Bytes written. */
  bytes: number;
  /** Range requests that continued the body after a break. */
  resumes: number;
}

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

/**
 * A plain axios instance with resilience attached, plus streaming helpers. `Body` is what
 * `stream()` gives by default: Node's `Readable` from the Node entry, the web `ReadableStream`
 * elsewhere (see `ResilientAxiosInstance`).
 */
export interface ResilientAxiosBase<Body> extends AxiosInstance {
  /**
   * Opens `url` with `responseType: 'stream'`; retryable failures before the body starts are
   * retried. On Node, a body that breaks mid-way, stalls for `stallTimeoutMs` or ends short of its
   * `Content-Length` errors the stream with a `StreamResumeError`; with `resume: true` it is first
   * continued with `Range` + `If-Range` requests into the same stream (each one counts as a retry).
   * `onDownloadProgress` counts across resumes.
   */
  stream<T = Body>(
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

/** How an entry point opens streams and downloads: Node's resumable code, or the browser's plain one. */
export interface StreamIO {
  stream(
    instance: AxiosInstance,
    method: string,
    url: string,
    config: AxiosRequestConfig | undefined,
    defaults: ResilienceOptions,
  ): Promise<AxiosResponse>;
  download(
    instance: AxiosInstance,
    url: string,
    path: string,
    config: AxiosRequestConfig | undefined,
    defaults: ResilienceOptions,
  ): Promise<DownloadResult>;
}

/** `createResilientAxios` of either entry point, with that entry's stream code. */
export function createResilientAxiosWith<Body>(
  options: ResilientAxiosOptions,
  io: StreamIO,
): ResilientAxiosBase<Body> {
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
  const agents: { destroy(): void }[] = [];
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
  const api = instance as ResilientAxiosBase<Body>;
  Object.defineProperties(api, {
    resilience: { value: handle, enumerable: true },
    stream: {
      value: (method: string, url: string, config?: AxiosRequestConfig) =>
        io.stream(instance, method, url, config, resilience),
    },
    download: {
      value: (url: string, path: string, config?: AxiosRequestConfig) =>
        io.download(instance, url, path, config, resilience),
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
function keepAliveAgents(pool: Required<PoolOptions>): { http: NodeAgent; https: NodeAgent } | undefined {
  const http = nodeBuiltin<AgentModule>('node:http');
  const https = nodeBuiltin<AgentModule>('node:https');
  if (!http || !https) return undefined;
  const agentOptions = { keepAlive: true, ...pool };
  return { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
}

/** The little of `node:http`'s Agent used here, so that these declarations need no Node types. */
interface NodeAgent {
  destroy(): void;
}
interface AgentModule {
  Agent: new (options: object) => NodeAgent;
}
