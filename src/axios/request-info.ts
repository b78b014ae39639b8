import type { InternalAxiosRequestConfig } from 'axios';
import { fullURL } from '../policy/scope.js';
import type { RequestInfo } from '../telemetry/types.js';

/**
 * What a telemetry sink is told of a request starting. The method and URL are worked out only if
 * a sink reads them: a sink that observes nothing (no SDK, no subscriber) costs no string work.
 */
export class AttemptRequestInfo implements RequestInfo {
  private resolvedURL: string | undefined;

  constructor(
    readonly config: InternalAxiosRequestConfig,
    readonly scope: string,
  ) {}

  get method(): string {
    return (this.config.method ?? 'get').toUpperCase();
  }

  get url(): string {
    return (this.resolvedURL ??= fullURL(this.config));
  }
}
