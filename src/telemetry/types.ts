import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CircuitState } from '../store/types.js';
import type { GiveUpReason } from '../types.js';

/**
 * The events seam: what the plugin tells a telemetry sink. `openTelemetry()` (subpath
 * `axios-resilience/otel`) is one sink; the diagnostics channels are another. The plugin knows
 * nothing of either beyond this interface.
 */
export interface ResilienceTelemetry {
  /**
   * A logical request is about to send its first attempt. Called only when a sink is given;
   * return `undefined` to observe nothing of this request (e.g. no SDK is recording).
   */
  startRequest(info: RequestInfo): RequestTelemetry | undefined;
  /**
   * Optional: `false` when `startRequest` would return `undefined` now (nothing is listening),
   * so that the plugin need not build the request's info. Absent: always asked.
   */
  observes?(): boolean;
  /** A circuit changed state. */
  circuit?(event: CircuitEvent): void;
}

export interface RequestInfo {
  readonly config: InternalAxiosRequestConfig;
  /** Upper-case method. */
  readonly method: string;
  /** The full URL with its query, as axios sends it (baseURL + url + serialized params). */
  readonly url: string;
  readonly scope: string;
}

export interface RequestTelemetry {
  /** Runs one attempt's dispatch (first, retry or hedge) with this request's context active. */
  runAttempt<T>(send: () => T): T;
  retry(event: RetryEvent): void;
  hedge(event: HedgeEvent): void;
  pause(event: PauseEvent): void;
  /** The call ended: `response` on success, else `error` and `reason`. */
  end(outcome: RequestOutcome): void;
}

export interface RetryEvent {
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  /** The config of the attempt that failed. */
  readonly config: InternalAxiosRequestConfig;
}

export interface HedgeEvent {
  /** Copies sent so far for this request, this one included. */
  readonly hedges: number;
  readonly delayMs: number;
}

export interface PauseEvent {
  readonly scope: string;
  readonly waitMs: number;
}

export interface CircuitEvent {
  readonly scope: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

export interface RequestOutcome {
  readonly response?: AxiosResponse;
  readonly error?: unknown;
  readonly reason?: GiveUpReason;
  readonly attempts: number;
  readonly retries: number;
  readonly hedges: number;
}
