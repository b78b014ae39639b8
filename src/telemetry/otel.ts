import {
  context,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { monotonicNow } from '../guards/clock.js';
import {
  ERROR_TYPE,
  errorType,
  HTTP_REQUEST_METHOD,
  HTTP_REQUEST_RESEND_COUNT,
  HTTP_RESPONSE_STATUS_CODE,
  knownMethod,
  requestAttributes,
  SERVER_ADDRESS,
  SERVER_PORT,
} from './http-attributes.js';
import { INSTRUMENTATION_SCOPE, InstrumentSource, type ResilienceInstruments } from './otel-metrics.js';
import { RESEND_COUNT_KEY } from './resend-count.js';
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

/** Where `openTelemetry()` sends spans and metrics. */
export interface OpenTelemetryOptions {
  /**
   * The tracer provider to use.
   * @default the global one (`trace.getTracerProvider()`), however late the SDK registers it
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * The meter provider to use.
   * @default the global one (`metrics.getMeterProvider()`), looked up per request
   */
  meterProvider?: MeterProvider | undefined;
}

/** The give-up reason on a failed logical request's span. */
export const REASON_ATTRIBUTE = 'axios_resilience.reason';

/** What the global proxy delegates to while no SDK is registered. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * An OpenTelemetry sink for the `telemetry` option: per logical request an INTERNAL span
 * `axios-resilience <METHOD>` (a child of the span active where the call was made) under which
 * every attempt is sent, and the package's counters and duration histogram.
 * `@opentelemetry/api` must be installed (an optional peer dependency of this package). With no
 * SDK registered it observes nothing and costs nothing.
 *
 * @example
 * import { openTelemetry } from 'axios-resilience/otel';
 * const api = createResilientAxios({ telemetry: openTelemetry() });
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): ResilienceTelemetry {
  return new OpenTelemetrySink(options.tracerProvider, options.meterProvider);
}

class OpenTelemetrySink implements ResilienceTelemetry {
  /** The tracer of the given provider, else of the global one last seen. */
  private tracer: Tracer | undefined;
  private globalProvider: TracerProvider | undefined;
  private readonly instruments: InstrumentSource;

  constructor(
    private readonly tracerProvider: TracerProvider | undefined,
    meterProvider: MeterProvider | undefined,
  ) {
    this.tracer = tracerProvider?.getTracer(INSTRUMENTATION_SCOPE);
    this.instruments = new InstrumentSource(meterProvider);
  }

  startRequest(info: RequestInfo): RequestTelemetry | undefined {
    const tracer = this.tracerInForce();
    const instruments = this.instruments.current();
    if (tracer === undefined && instruments === undefined) return undefined;
    const method = info.method;
    const attributes = requestAttributes(method, info.url);
    const parent = context.active();
    let attemptContext: Context | undefined;
    let span: Span | undefined;
    if (tracer !== undefined) {
      const name = `axios-resilience ${knownMethod(method) === '_OTHER' ? 'HTTP' : method}`;
      span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
      // A span the sampler dropped still has a valid context: the attempts propagate it.
      if (span.isRecording() || trace.isSpanContextValid(span.spanContext())) {
        attemptContext = trace.setSpan(parent, span);
      }
    }
    return new OpenTelemetryRequest(span, attemptContext, instruments, metricAttributes(attributes));
  }

  circuit(event: CircuitEvent): void {
    this.instruments.current()?.circuitTransitions.add(1, { to: event.to });
  }

  /**
   * The tracer to record with: the given provider's, else the global one's while an SDK is behind
   * the API's global proxy (`undefined` while none is: nothing to record).
   */
  private tracerInForce(): Tracer | undefined {
    if (this.tracerProvider !== undefined) return this.tracer;
    const global = trace.getTracerProvider();
    if (global instanceof ProxyTracerProvider && global.getDelegate() === NOOP_TRACER_PROVIDER)
      return undefined;
    if (global !== this.globalProvider) {
      this.globalProvider = global;
      this.tracer = global.getTracer(INSTRUMENTATION_SCOPE);
    }
    return this.tracer;
  }
}

/** The attributes of the duration histogram: bounded ones only (no `url.full`). */
function metricAttributes(attributes: Attributes): Attributes {
  const subset: Attributes = { [HTTP_REQUEST_METHOD]: attributes[HTTP_REQUEST_METHOD] };
  if (attributes[SERVER_ADDRESS] !== undefined) subset[SERVER_ADDRESS] = attributes[SERVER_ADDRESS];
  if (attributes[SERVER_PORT] !== undefined) subset[SERVER_PORT] = attributes[SERVER_PORT];
  return subset;
}

/** One logical request: its span, and what its metrics need at the end. */
class OpenTelemetryRequest implements RequestTelemetry {
  private readonly startedAt = monotonicNow();
  /** Attempts sent so far: the next one's resend count. */
  private sent = 0;
  private ended = false;

  constructor(
    private readonly span: Span | undefined,
    private readonly attemptContext: Context | undefined,
    private readonly instruments: ResilienceInstruments | undefined,
    private readonly attributes: Attributes,
  ) {}

  runAttempt<T>(send: () => T): T {
    const resends = this.sent++;
    const attemptContext = this.attemptContext;
    if (attemptContext === undefined) return send();
    return context.with(attemptContext.setValue(RESEND_COUNT_KEY, resends), send);
  }

  retry(event: RetryEvent): void {
    this.span?.addEvent('retry', {
      attempt: event.attempt,
      delay_ms: event.delayMs,
      reason: event.reason,
    });
    this.instruments?.retries.add(1, { reason: event.reason });
  }

  hedge(event: HedgeEvent): void {
    this.span?.addEvent('hedge', { hedges: event.hedges, delay_ms: event.delayMs });
    this.instruments?.hedges.add(1);
  }

  pause(event: PauseEvent): void {
    this.span?.addEvent('pause', { scope: event.scope, wait_ms: event.waitMs });
  }

  end(outcome: RequestOutcome): void {
    if (this.ended) return;
    this.ended = true;
    const ending: Attributes = {};
    const response = outcome.response;
    if (response !== undefined) ending[HTTP_RESPONSE_STATUS_CODE] = response.status;
    else {
      const status = (outcome.error as { response?: { status?: unknown } } | undefined)?.response?.status;
      if (typeof status === 'number') ending[HTTP_RESPONSE_STATUS_CODE] = status;
      ending[ERROR_TYPE] = errorType(outcome.error);
    }
    const span = this.span;
    if (span !== undefined) {
      const resends = outcome.retries + outcome.hedges;
      if (resends > 0) span.setAttribute(HTTP_REQUEST_RESEND_COUNT, resends);
      span.setAttributes(ending);
      if (response === undefined) {
        if (outcome.reason !== undefined) span.setAttribute(REASON_ATTRIBUTE, outcome.reason);
        span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(outcome.error) });
      }
      span.end();
    }
    const instruments = this.instruments;
    if (instruments !== undefined) {
      instruments.duration.record((monotonicNow() - this.startedAt) / 1000, {
        ...this.attributes,
        ...ending,
      });
      if (response === undefined && outcome.reason !== undefined) {
        instruments.giveUps.add(1, { reason: outcome.reason });
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
