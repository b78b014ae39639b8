/** The OpenTelemetry sink on the real test server, recorded by the SDK's in-memory exporters. */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { attachResilience, type ResilienceOptions } from '../../src/index.js';
import {
  currentResendCount,
  DURATION_BUCKETS,
  openTelemetry,
  resendCountAttributes,
} from '../../src/otel.js';
import { TestSdk } from '../helpers/otel-sdk.js';
import { requestInfo } from '../helpers/request-info.js';
import { rejectionOf } from '../helpers/outcome.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let sdk: TestSdk;

beforeEach(async () => {
  server = await startTestServer();
  sdk = new TestSdk();
});

afterEach(async () => {
  await sdk.shutdown();
  await server.close();
});

function client(options: ResilienceOptions = {}, baseURL = server.url): AxiosInstance {
  const instance = axios.create({ baseURL });
  attachResilience(instance, {
    baseDelayMs: 1,
    jitter: 'none',
    telemetry: openTelemetry({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider }),
    ...options,
  });
  return instance;
}

/** The axios http adapter, as a per-request adapter: it runs where the plugin sends each attempt. */
const httpAdapter = axios.getAdapter('http');

describe('the logical request span', () => {
  it('is one INTERNAL span named after the method, with the request attributes', async () => {
    await client().get('/items');
    const span = sdk.span('axios-resilience GET');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'url.full': `${server.url}/items`,
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it('has no http.request.resend_count when the first attempt succeeds', async () => {
    await client().get('/items');
    expect(sdk.span('axios-resilience GET').attributes).not.toHaveProperty('http.request.resend_count');
  });

  it('is a child of the span active where the call was made', async () => {
    const tracer = sdk.tracerProvider.getTracer('test');
    const api = client();
    await tracer.startActiveSpan('caller', async (caller: Span) => {
      await api.get('/items');
      caller.end();
    });
    const caller = sdk.span('caller');
    const logical = sdk.span('axios-resilience GET');
    expect(logical.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(logical.spanContext().traceId).toBe(caller.spanContext().traceId);
  });

  it('carries a retry event per retry and the number of resends', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 502 }, { status: 200 }]);
    await client().get('/flaky');
    const span = sdk.span('axios-resilience GET');
    expect(span.events.map((event) => [event.name, event.attributes])).toEqual([
      ['retry', { attempt: 1, delay_ms: 1, reason: 'status 503' }],
      ['retry', { attempt: 2, delay_ms: 2, reason: 'status 502' }],
    ]);
    expect(span.attributes['http.request.resend_count']).toBe(2);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('is an ERROR with the final status as error.type and the give-up reason when retries run out', async () => {
    server.plan('/down', [{ status: 503 }]);
    await rejectionOf(client({ retries: 1 }).get('/down'));
    const span = sdk.span('axios-resilience GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'error.type': '503',
      'axios_resilience.reason': 'exhausted',
      'http.response.status_code': 503,
      'http.request.resend_count': 1,
    });
  });

  it('names the error code as error.type when no response came', async () => {
    const port = await closedPort();
    await rejectionOf(client({ retries: 0 }, `http://127.0.0.1:${port}`).get('/'));
    const span = sdk.span('axios-resilience GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.attributes['axios_resilience.reason']).toBe('exhausted');
    expect(span.attributes).not.toHaveProperty('http.response.status_code');
  });

  it('gives a POST that is not retried the reason not-retryable', async () => {
    server.plan('/orders', [{ status: 502 }]);
    await rejectionOf(client().post('/orders', { sku: 'tea' }));
    const span = sdk.span('axios-resilience POST');
    expect(span.attributes['axios_resilience.reason']).toBe('not-retryable');
    expect(span.attributes['error.type']).toBe('502');
  });

  it('puts the params in url.full and redacts credentials and signed-URL secrets', async () => {
    const api = client({}, server.url.replace('//', '//user:secret@'));
    await api.get('/file', { params: { page: 2, Signature: 'abc' } });
    const url = sdk.span('axios-resilience GET').attributes['url.full'];
    expect(url).toBe(`http://REDACTED:REDACTED@127.0.0.1:${server.port}/file?page=2&Signature=REDACTED`);
  });
});

describe('every attempt runs under the logical span', () => {
  it('makes the logical span the active one while each attempt is sent, with its resend count', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const seen: Array<{ spanId: string | undefined; resends: number | undefined }> = [];
    const observing: AxiosAdapter = (config) => {
      seen.push({ spanId: trace.getActiveSpan()?.spanContext().spanId, resends: currentResendCount() });
      return httpAdapter(config);
    };
    await client().get('/flaky', { adapter: observing });
    const logical = sdk.span('axios-resilience GET').spanContext().spanId;
    expect(seen).toEqual([
      { spanId: logical, resends: 0 },
      { spanId: logical, resends: 1 },
    ]);
  });

  it('leaves the caller context untouched outside the attempts', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    await client().get('/flaky');
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(currentResendCount()).toBeUndefined();
  });

  it('gives an instrumentation that writes traceparent into the config a fresh one on each retry', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    const tracer = sdk.tracerProvider.getTracer('adapter-instrumentation');
    // Like a conservative propagator: it writes the attempt's context only where none is set.
    const instrumented: AxiosAdapter = (config) =>
      tracer.startActiveSpan('GET', { kind: SpanKind.CLIENT }, async (span) => {
        const { traceId, spanId } = span.spanContext();
        if (!config.headers.has('traceparent'))
          config.headers.set('traceparent', `00-${traceId}-${spanId}-01`);
        try {
          return await httpAdapter(config);
        } finally {
          span.end();
        }
      });
    await client().get('/flaky', { adapter: instrumented });
    const logical = sdk.span('axios-resilience GET').spanContext();
    const clients = sdk.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients).toHaveLength(3);
    expect(clients.every((span) => span.parentSpanContext?.spanId === logical.spanId)).toBe(true);
    expect(server.requests.map((request) => request.headers.traceparent)).toEqual(
      clients.map((span) => `00-${logical.traceId}-${span.spanContext().spanId}-01`),
    );
  });

  it("sends the caller's own traceparent on every attempt, not one an attempt wrote", async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const callers = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const overwriting: AxiosAdapter = (config) => {
      const header = config.headers.get('traceparent');
      config.headers.set('traceparent', `${String(header)}-seen`);
      config.headers.set('tracestate', 'attempt=written');
      return httpAdapter(config);
    };
    await client().get('/flaky', { adapter: overwriting, headers: { traceparent: callers } });
    expect(server.requests.map((request) => request.headers.traceparent)).toEqual([
      `${callers}-seen`,
      `${callers}-seen`,
    ]);
  });

  it('gives resendCountAttributes the attribute from the second attempt on', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const attributes: unknown[] = [];
    const observing: AxiosAdapter = (config) => {
      attributes.push(resendCountAttributes());
      return httpAdapter(config);
    };
    await client().get('/flaky', { adapter: observing });
    expect(attributes).toEqual([{}, { 'http.request.resend_count': 1 }]);
  });
});

describe('metrics', () => {
  it('counts retries by reason and give-ups by reason', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    server.plan('/down', [{ status: 502 }]);
    const api = client({ retries: 2 });
    await api.get('/flaky');
    await rejectionOf(api.get('/down'));
    await sdk.collect();
    expect(sdk.value('axios_resilience.retries', { reason: 'status 503' })).toBe(1);
    expect(sdk.value('axios_resilience.retries', { reason: 'status 502' })).toBe(2);
    expect(sdk.value('axios_resilience.give_ups', { reason: 'exhausted' })).toBe(1);
    expect(sdk.points('axios_resilience.give_ups')).toHaveLength(1);
  });

  it('records each logical request once in the duration histogram, in seconds, with the semconv buckets', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const api = client();
    await api.get('/flaky');
    await api.get('/items');
    await sdk.collect();
    const histogram = sdk.value('axios_resilience.request.duration', {
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 200,
    }) as { count: number; sum: number; buckets: { boundaries: number[] } };
    expect(histogram.count).toBe(2);
    expect(histogram.sum).toBeGreaterThan(0);
    expect(histogram.sum).toBeLessThan(5);
    expect(histogram.buckets.boundaries).toEqual(DURATION_BUCKETS);
  });

  it('labels a failed request in the histogram with error.type', async () => {
    server.plan('/down', [{ status: 504 }]);
    await rejectionOf(client({ retries: 0 }).get('/down'));
    await sdk.collect();
    const histogram = sdk.value('axios_resilience.request.duration', { 'error.type': '504' }) as {
      count: number;
    };
    expect(histogram.count).toBe(1);
  });

  it('counts circuit transitions by the state entered', async () => {
    server.plan('/down', [{ status: 503 }]);
    const api = client({
      retries: 0,
      circuitBreaker: { minimumThroughput: 2, failureRatio: 0.5, breakDurationMs: 60_000 },
    });
    await rejectionOf(api.get('/down'));
    await rejectionOf(api.get('/down'));
    await rejectionOf(api.get('/down'));
    await sdk.collect();
    expect(sdk.value('axios_resilience.circuit.transitions', { to: 'open' })).toBe(1);
    expect(sdk.value('axios_resilience.give_ups', { reason: 'circuit-open' })).toBe(1);
    const rejected = sdk.spans().at(-1)!;
    expect(rejected.attributes['error.type']).toBe('ERR_CIRCUIT_OPEN');
  });
});

describe('hedges and pauses', () => {
  const info = requestInfo('https://api.example.com/items', 'https://api.example.com:443');

  it('adds a hedge event and counts the hedge', async () => {
    const request = openTelemetry({
      tracerProvider: sdk.tracerProvider,
      meterProvider: sdk.meterProvider,
    }).startRequest(info)!;
    request.hedge({ hedges: 1, delayMs: 40 });
    request.end({ response: { status: 200 } as never, attempts: 2, retries: 0, hedges: 1 });
    const span = sdk.span('axios-resilience GET');
    expect(span.events.map((event) => [event.name, event.attributes])).toEqual([
      ['hedge', { hedges: 1, delay_ms: 40 }],
    ]);
    expect(span.attributes['http.request.resend_count']).toBe(1);
    expect(span.attributes['server.port']).toBe(443);
    await sdk.collect();
    expect(sdk.value('axios_resilience.hedges')).toBe(1);
  });

  it('records a real hedge: a hedge event, the copy under the logical span, the hedges counter', async () => {
    let seen = 0;
    server.handle('/tail', (_req, res) => {
      if (seen++ === 0) return; // the first copy never answers: the hedge wins
      res.end('fast');
    });
    const api = client({ hedge: { delayMs: 20 } });

    const response = await api.get('/tail');

    expect(response.data).toBe('fast');
    const span = sdk.span('axios-resilience GET');
    expect(span.events.map((event) => event.name)).toEqual(['hedge']);
    expect(span.attributes['http.request.resend_count']).toBe(1);
    await sdk.collect();
    expect(sdk.value('axios_resilience.hedges')).toBe(1);
  });

  it('adds a pause event when the scope made the request wait', () => {
    const request = openTelemetry({ tracerProvider: sdk.tracerProvider }).startRequest(info)!;
    request.pause({ scope: info.scope, waitMs: 250 });
    request.end({ response: { status: 200 } as never, attempts: 1, retries: 0, hedges: 0 });
    expect(sdk.span('axios-resilience GET').events.map((event) => [event.name, event.attributes])).toEqual([
      ['pause', { scope: info.scope, wait_ms: 250 }],
    ]);
  });

  it('adds a pause event to a call that waited for its scope, paused by a 429', async () => {
    server.plan('/limited', [{ status: 429, headers: { 'retry-after': '0.05' } }]);
    const api = client({ retries: 0 });
    await rejectionOf(api.get('/limited'));
    await api.get('/items');
    const waited = sdk.spans().find((span) => span.attributes['url.full'] === `${server.url}/items`)!;
    const pauses = waited.events.filter((event) => event.name === 'pause');
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.attributes).toMatchObject({ scope: `http://127.0.0.1:${server.port}` });
    expect(pauses[0]!.attributes!['wait_ms']).toBeGreaterThan(0);
    expect(pauses[0]!.attributes!['wait_ms']).toBeLessThanOrEqual(50);
  });

  it('ends the span once, however often it is told', () => {
    const request = openTelemetry({ tracerProvider: sdk.tracerProvider }).startRequest(info)!;
    request.end({ response: { status: 200 } as never, attempts: 1, retries: 0, hedges: 0 });
    request.end({ error: new Error('late'), reason: 'canceled', attempts: 1, retries: 0, hedges: 0 });
    expect(sdk.spans()).toHaveLength(1);
    expect(sdk.span('axios-resilience GET').status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('a sampler that drops the span', () => {
  it('exports no span, still sends the attempts in its context, and still records metrics', async () => {
    const dropping = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const instance = axios.create({ baseURL: server.url });
    attachResilience(instance, {
      telemetry: openTelemetry({ tracerProvider: dropping, meterProvider: sdk.meterProvider }),
    });
    const traceIds: Array<string | undefined> = [];
    const observing: AxiosAdapter = (config) => {
      traceIds.push(trace.getActiveSpan()?.spanContext().traceId);
      return httpAdapter(config);
    };
    await instance.get('/items', { adapter: observing });
    expect(sdk.spans()).toEqual([]);
    expect(traceIds).toHaveLength(1);
    expect(traceIds[0]).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    await sdk.collect();
    expect((sdk.value('axios_resilience.request.duration') as { count: number }).count).toBe(1);
  });
});
