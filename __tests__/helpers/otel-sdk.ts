import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type CollectionResult,
  type DataPoint,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** A reader that exports nowhere: the test collects from it when it wants to look. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The OpenTelemetry SDK recording in memory: a tracer provider with an in-memory exporter, a
 * meter provider with a reader the test collects from, and an AsyncLocalStorage context manager.
 */
export class TestSdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  private readonly exporter = new InMemorySpanExporter();
  private readonly reader = new CollectingReader();
  private collected: CollectionResult | undefined;

  constructor() {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(this.exporter)],
    });
    this.meterProvider = new MeterProvider({ readers: [this.reader] });
  }

  /** Finished spans, in the order they ended. */
  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The one finished span of this name. */
  span(name: string): ReadableSpan {
    const found = this.spans().filter((span) => span.name === name);
    if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}`);
    return found[0]!;
  }

  /** Reads every metric as it stands now; `points` then looks into what was read. */
  async collect(): Promise<void> {
    this.collected = await this.reader.collect();
  }

  /** The data points of one metric at the last `collect()` (empty when it has none). */
  points(name: string): DataPoint<unknown>[] {
    if (this.collected === undefined) throw new Error('call await sdk.collect() first');
    for (const scope of this.collected.resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name === name) return metric.dataPoints as DataPoint<unknown>[];
      }
    }
    return [];
  }

  /** The value of the one data point of `name` whose attributes include `attributes`. */
  value(name: string, attributes: Attributes = {}): unknown {
    const matching = this.points(name).filter((point) =>
      Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    );
    if (matching.length > 1) throw new Error(`${matching.length} points of ${name} match`);
    return matching[0]?.value;
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.tracerProvider.shutdown(), this.meterProvider.shutdown()]);
    context.disable();
  }
}
