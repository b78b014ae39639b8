import axios, { type InternalAxiosRequestConfig } from 'axios';
import { fullURL } from '../policy/scope.js';
import type { RequestInfo } from '../telemetry/types.js';

/**
 * What a telemetry sink is told of a request starting. The method, URL and scope are worked out
 * only if a sink reads them: a sink that observes nothing (no SDK, no subscriber) costs no work.
 */
export class AttemptRequestInfo implements RequestInfo {
  private resolvedURL: string | undefined;

  constructor(
    readonly config: InternalAxiosRequestConfig,
    private readonly scopeOf: () => string,
  ) {}

  get scope(): string {
    return this.scopeOf();
  }

  get method(): string {
    return (this.config.method ?? 'get').toUpperCase();
  }

  get url(): string {
    return (this.resolvedURL ??= urlOf(this.config));
  }
}

/** baseURL + url, and the params serialized as axios serializes them when it sends. */
function urlOf(config: InternalAxiosRequestConfig): string {
  const url = fullURL(config);
  const { params, paramsSerializer } = config;
  if (params === undefined || params === null) return url;
  try {
    return axios.getUri(paramsSerializer === undefined ? { url, params } : { url, params, paramsSerializer });
  } catch {
    // A params serializer that throws fails the request when axios sends it, not here.
    return url;
  }
}
