import diagnostics from 'node:diagnostics_channel';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
// in your code: from 'axios-resilience' and 'axios-resilience/otel'
import { createResilientAxios } from '../src/index.js';
import { openTelemetry } from '../src/otel.js';

/**
 * What the plugin did, as OpenTelemetry sees it: one span per logical request with a `retry`
 * event per retry, the package's metrics, and the `diagnostics_channel` messages. An app would
 * start `@opentelemetry/sdk-node` with an OTLP exporter instead (docs/observability.md); here the
 * SDK keeps everything in memory and the example prints it.
 */
export async function main(baseURL: string): Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new PrintingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });

  // Node's diagnostics_channel: published whether or not `telemetry` is set, only to subscribers.
  const onRetry = (message: unknown): void => {
    const { attempt, delayMs, reason } = message as { attempt: number; delayMs: number; reason: string };
    console.log(
      `  diagnostics_channel axios-resilience:retry attempt=${attempt} ${reason}, wait ${delayMs} ms`,
    );
  };
  diagnostics.subscribe('axios-resilience:retry', onRetry);

  const api = createResilientAxios({
    retries: 2,
    baseDelayMs: 100,
    axios: { baseURL, timeout: 5_000 },
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
  });
  const tracer = tracerProvider.getTracer('checkout');
  try {
    // The logical spans become children of the span active where each call is made.
    await tracer.startActiveSpan('checkout', async (checkout) => {
      await api.get('/flaky?fail=2&with=503'); // two retries, then 200
      await api.get('/outage').catch(() => undefined); // gives up: exhausted
      checkout.end();
    });
    printTree(spans.getFinishedSpans());
    await reader.print();
  } finally {
    diagnostics.unsubscribe('axios-resilience:retry', onRetry);
    await api.close();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    context.disable();
  }
}

/** The span tree, indented: what a tracing UI shows as a waterfall. */
function printTree(finished: ReadableSpan[]): void {
  const children = (parent: string | undefined): ReadableSpan[] =>
    finished.filter((span) => span.parentSpanContext?.spanId === parent);
  const print = (span: ReadableSpan, depth: number): void => {
    const { 'url.full': url, ...rest } = span.attributes;
    const status = span.status.code === SpanStatusCode.ERROR ? ' ERROR' : '';
    console.log(`${'  '.repeat(depth)}${span.name}${status} ${url ?? ''} ${JSON.stringify(rest)}`);
    for (const event of span.events) {
      console.log(`${'  '.repeat(depth + 1)}event ${event.name} ${JSON.stringify(event.attributes)}`);
    }
    for (const child of children(span.spanContext().spanId)) print(child, depth + 1);
  };
  for (const root of children(undefined)) print(root, 0);
}

/** A reader the example collects from once, at the end, to print the package's metrics. */
class PrintingReader extends MetricReader {
  async print(): Promise<void> {
    const { resourceMetrics } = await this.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const value = point.value as number | { count: number; sum: number };
          const shown =
            typeof value === 'number' ? value : `count=${value.count} sum=${value.sum.toFixed(3)}s`;
          console.log(`  metric ${metric.descriptor.name}${JSON.stringify(point.attributes)} ${shown}`);
        }
      }
    }
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
