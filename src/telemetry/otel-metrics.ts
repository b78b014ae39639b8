import {
  createNoopMeter,
  metrics,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
} from '@opentelemetry/api';

/** The instrumentation scope of every tracer and meter this package asks for. */
export const INSTRUMENTATION_SCOPE = 'axios-resilience';

/** Metric names (no semconv exists for retries: these are the package's own, documented in docs/observability.md). */
export const METRIC_RETRIES = 'axios_resilience.retries';
export const METRIC_GIVE_UPS = 'axios_resilience.give_ups';
export const METRIC_HEDGES = 'axios_resilience.hedges';
export const METRIC_CIRCUIT_TRANSITIONS = 'axios_resilience.circuit.transitions';
export const METRIC_REQUEST_DURATION = 'axios_resilience.request.duration';

/** HTTP semconv's bucket advice for `http.client.request.duration`, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The package's instruments on one meter. */
export interface ResilienceInstruments {
  readonly retries: Counter;
  readonly giveUps: Counter;
  readonly hedges: Counter;
  readonly circuitTransitions: Counter;
  readonly duration: Histogram;
}

function createInstruments(meter: Meter): ResilienceInstruments {
  return {
    retries: meter.createCounter(METRIC_RETRIES, {
      description: 'Retries sent, by the reason the attempt before failed',
      unit: '{retry}',
    }),
    giveUps: meter.createCounter(METRIC_GIVE_UPS, {
      description: 'Logical requests that ended in failure, by give-up reason',
      unit: '{request}',
    }),
    hedges: meter.createCounter(METRIC_HEDGES, {
      description: 'Hedge copies sent',
      unit: '{request}',
    }),
    circuitTransitions: meter.createCounter(METRIC_CIRCUIT_TRANSITIONS, {
      description: 'Circuit breaker state changes, by the state entered',
      unit: '{transition}',
    }),
    duration: meter.createHistogram(METRIC_REQUEST_DURATION, {
      description: 'Duration of logical requests, every attempt and wait included',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    }),
  };
}

const NOOP_METER = createNoopMeter();

/**
 * The instruments of the meter provider in force. The API has no proxy for metrics, so the global
 * provider is looked up on each use: one registered after `openTelemetry()` is still found.
 */
export class InstrumentSource {
  private provider: MeterProvider | undefined;
  private instruments: ResilienceInstruments | undefined;

  constructor(private readonly given: MeterProvider | undefined) {}

  /** `undefined` while no SDK is registered (the provider is the API's no-op). */
  current(): ResilienceInstruments | undefined {
    const provider = this.given ?? metrics.getMeterProvider();
    if (provider !== this.provider) {
      this.provider = provider;
      const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
      this.instruments = meter === NOOP_METER ? undefined : createInstruments(meter);
    }
    return this.instruments;
  }
}
