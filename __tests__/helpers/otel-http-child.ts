/**
 * Run as a child process by __tests__/telemetry/instrumentation-http.test.ts. Prints what was
 * recorded as one line of JSON.
 */
// First: the SDK and the HTTP instrumentation, before axios and the server load `http`.
import { exporter } from './otel-http-sdk.js';
import { SpanKind } from '@opentelemetry/api';
import axios from 'axios';
import { attachResilience } from '../../src/index.js';
import { openTelemetry } from '../../src/otel.js';
import { startTestServer } from './server.js';

async function main(): Promise<void> {
  const server = await startTestServer();
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
