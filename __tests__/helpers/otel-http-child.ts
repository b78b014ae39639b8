/**
 * Run as a child process by __tests__/telemetry/instrumentation-http.test.ts: the HTTP
 * instrumentation must patch `http` before axios loads it, as in an app that starts the SDK first.
 * Prints what was recorded as one line of JSON.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resendCountAttributes } from '../../src/otel.js';
import type { TestServer } from './server.js';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
// Enabled on construction; the server's own spans are left out.
new HttpInstrumentation({
  ignoreIncomingRequestHook: () => true,
  startOutgoingSpanHook: resendCountAttributes,
});

async function main(): Promise<void> {
  // Loaded only now, so `http` is patched when axios and the test server require it.
  const { default: axios } = await import('axios');
  const { attachResilience } = await import('../../src/index.js');
  const { openTelemetry } = await import('../../src/otel.js');
  const { startTestServer } = await import('./server.js');
  const server: TestServer = await startTestServer();
  try {
    server.plan('/flaky', [{ status: 503 }, { status: 502 }, { status: 200 }]);
    const api = axios.create({ baseURL: server.url });
    attachResilience(api, { baseDelayMs: 1, jitter: 'none', telemetry: openTelemetry() });
    const response = await api.get('/flaky');
    const spans = exporter.getFinishedSpans().map((span) => ({
      name: span.name,
      kind: SpanKind[span.kind],
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      attributes: span.attributes,
    }));
    const traceparents = server.requests.map((request) => request.headers.traceparent);
    process.stdout.write(`${JSON.stringify({ status: response.status, spans, traceparents })}\n`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
