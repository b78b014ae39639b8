import type { Channel } from 'node:diagnostics_channel';
import type { InternalAxiosRequestConfig } from 'axios';
import { nodeBuiltin } from '../axios/node-builtin.js';
import type { CircuitState } from '../store/types.js';
import type { GiveUpReason } from '../types.js';
import type {
  CircuitEvent,
  RequestOutcome,
  RequestTelemetry,
  ResilienceTelemetry,
  RetryEvent,
} from './types.js';

/** Node `diagnostics_channel` names, one per event, named after the package. */
export const RETRY_CHANNEL = 'axios-resilience:retry';
export const GIVE_UP_CHANNEL = 'axios-resilience:give-up';
export const CIRCUIT_CHANNEL = 'axios-resilience:circuit';

/** Published on `axios-resilience:retry` before each retry's wait (the `onRetry` hook's shape). */
export interface RetryMessage {
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly config: InternalAxiosRequestConfig;
}

/** Published on `axios-resilience:give-up` when a logical request ends in failure (`onGiveUp`'s shape). */
export interface GiveUpMessage {
  readonly attempts: number;
  readonly reason: GiveUpReason;
  readonly error: unknown;
}

/** Published on `axios-resilience:circuit` when a scope's circuit changes state. */
export interface CircuitMessage {
  readonly scope: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

type DiagnosticsChannel = typeof import('node:diagnostics_channel');

/**
 * The diagnostics channels as a telemetry sink. Stateless, so one object serves every request;
 * a request is observed only if a channel had subscribers when it started.
 */
class DiagnosticsSink implements ResilienceTelemetry, RequestTelemetry {
  private readonly retries: Channel;
  private readonly giveUps: Channel;
  private readonly circuits: Channel;

  constructor(channels: DiagnosticsChannel) {
    this.retries = channels.channel(RETRY_CHANNEL);
    this.giveUps = channels.channel(GIVE_UP_CHANNEL);
    this.circuits = channels.channel(CIRCUIT_CHANNEL);
  }

  observes(): boolean {
    return this.retries.hasSubscribers || this.giveUps.hasSubscribers;
  }

  startRequest(): RequestTelemetry | undefined {
    return this.observes() ? this : undefined;
  }

  runAttempt<T>(send: () => T): T {
    return send();
  }

  retry(event: RetryEvent): void {
    if (!this.retries.hasSubscribers) return;
    const message: RetryMessage = {
      attempt: event.attempt,
      delayMs: event.delayMs,
      reason: event.reason,
      config: event.config,
    };
    this.retries.publish(message);
  }

  hedge(): void {}

  pause(): void {}

  end(outcome: RequestOutcome): void {
    if (outcome.reason === undefined || !this.giveUps.hasSubscribers) return;
    const message: GiveUpMessage = {
      attempts: outcome.attempts,
      reason: outcome.reason,
      error: outcome.error,
    };
    this.giveUps.publish(message);
  }

  circuit(event: CircuitEvent): void {
    if (!this.circuits.hasSubscribers) return;
    const message: CircuitMessage = { scope: event.scope, from: event.from, to: event.to };
    this.circuits.publish(message);
  }
}

let sink: DiagnosticsSink | null | undefined;

/**
 * The diagnostics channels' sink on Node; `undefined` elsewhere. Loaded at run time, so a browser
 * bundle never sees `node:diagnostics_channel`.
 */
export function diagnosticsTelemetry(): ResilienceTelemetry | undefined {
  if (sink === undefined) {
    const channels = nodeBuiltin<DiagnosticsChannel>('node:diagnostics_channel');
    sink = channels === undefined ? null : new DiagnosticsSink(channels);
  }
  return sink ?? undefined;
}
