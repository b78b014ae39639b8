/** `openTelemetry()` with the global providers: nothing without an SDK, the SDK once registered. */
import { metrics, trace } from '@opentelemetry/api';
import axios, { type AxiosInstance } from 'axios';
import { attachResilience, getRetryState } from '../../src/index.js';
import { openTelemetry } from '../../src/otel.js';
import type { ResilienceTelemetry } from '../../src/telemetry/types.js';
import { TestSdk } from '../helpers/otel-sdk.js';
import { requestInfo } from '../helpers/request-info.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let telemetry: ResilienceTelemetry;
let api: AxiosInstance;

beforeEach(async () => {
  server = await startTestServer();
  // Made before any SDK is registered, as a module-level client would be.
  telemetry = openTelemetry();
  api = axios.create({ baseURL: server.url });
  attachResilience(api, { baseDelayMs: 1, jitter: 'none', telemetry });
});

afterEach(async () => {
  trace.disable();
  metrics.disable();
  await server.close();
});

const info = requestInfo();

describe('with no SDK registered', () => {
  it('observes nothing: startRequest returns undefined', () => {
    expect(telemetry.startRequest(info)).toBeUndefined();
  });

  it('leaves requests and their retries working as without telemetry', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const response = await api.get('/flaky');
    expect(response.status).toBe(200);
    expect(getRetryState(response)?.attempts).toBe(2);
  });
});

describe('with an SDK registered after openTelemetry()', () => {
  let sdk: TestSdk;

  beforeEach(() => {
    sdk = new TestSdk();
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
  });

  afterEach(() => sdk.shutdown());

  it('records the logical span through the global tracer provider', async () => {
    await api.get('/items');
    expect(sdk.span('axios-resilience GET').attributes['url.full']).toBe(`${server.url}/items`);
  });

  it('records metrics through the global meter provider', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    await api.get('/flaky');
    await sdk.collect();
    expect(sdk.value('axios_resilience.retries')).toBe(1);
  });

  it('records metrics alone when only a meter provider is registered', async () => {
    trace.disable();
    await api.get('/items');
    expect(sdk.spans()).toEqual([]);
    await sdk.collect();
    expect((sdk.value('axios_resilience.request.duration') as { count: number }).count).toBe(1);
  });
});
