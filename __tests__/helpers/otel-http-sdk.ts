/**
 * The SDK of __tests__/helpers/otel-http-child.ts, imported before anything loads `http`: the
 * HTTP instrumentation patches it as it is loaded, as in an app that starts the SDK first.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resendCountAttributes } from '../../src/otel.js';

export const exporter = new InMemorySpanExporter();

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
// Enabled on construction; the test server's own spans are left out.
new HttpInstrumentation({
  ignoreIncomingRequestHook: () => true,
  startOutgoingSpanHook: resendCountAttributes,
});
