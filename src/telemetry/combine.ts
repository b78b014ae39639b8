import type {
  CircuitEvent,
  HedgeEvent,
  PauseEvent,
  RequestInfo,
  RequestOutcome,
  RequestTelemetry,
  ResilienceTelemetry,
  RetryEvent,
} from './types.js';

/**
 * One sink that tells both: the plugin sends every event to one sink, so the OpenTelemetry sink
 * and the diagnostics channels (or a sink of your own) are combined here. Either may be absent.
 *
 * @example
 * telemetry: combineTelemetry(openTelemetry(), myAuditSink)
 */
export function combineTelemetry(
  first: ResilienceTelemetry | undefined,
  second: ResilienceTelemetry | undefined,
): ResilienceTelemetry | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return new CombinedTelemetry(first, second);
}

class CombinedTelemetry implements ResilienceTelemetry {
  constructor(
    private readonly first: ResilienceTelemetry,
    private readonly second: ResilienceTelemetry,
  ) {}

  observes(): boolean {
    return this.first.observes?.() !== false || this.second.observes?.() !== false;
  }

  startRequest(info: RequestInfo): RequestTelemetry | undefined {
    const first = this.first.startRequest(info);
    const second = this.second.startRequest(info);
    if (first === undefined) return second;
    if (second === undefined) return first;
    return new CombinedRequest(first, second);
  }

  circuit(event: CircuitEvent): void {
    this.first.circuit?.(event);
    this.second.circuit?.(event);
  }
}

class CombinedRequest implements RequestTelemetry {
  constructor(
    private readonly first: RequestTelemetry,
    private readonly second: RequestTelemetry,
  ) {}

  runAttempt<T>(send: () => T): T {
    // The first sink's context is active while the second one's runs.
    return this.first.runAttempt(() => this.second.runAttempt(send));
  }

  retry(event: RetryEvent): void {
    this.first.retry(event);
    this.second.retry(event);
  }

  hedge(event: HedgeEvent): void {
    this.first.hedge(event);
    this.second.hedge(event);
  }

  pause(event: PauseEvent): void {
    this.first.pause(event);
    this.second.pause(event);
  }

  end(outcome: RequestOutcome): void {
    this.first.end(outcome);
    this.second.end(outcome);
  }
}
