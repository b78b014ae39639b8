import { Readable } from 'node:stream';
import axiosLatest, { type AxiosInstance, type AxiosStatic } from 'axios';
import { attachResilience, getRetryState } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// The peer range is axios >=1.6 <2: the oldest supported release and the newest installed one
// must both keep every promise the plugin relies on (state surviving mergeConfig, interceptor
// order, body replay, cancellation).
const axiosOldest = require('axios-1.6') as AxiosStatic;

const versions: [string, AxiosStatic][] = [
  [axiosOldest.VERSION, axiosOldest],
  [axiosLatest.VERSION, axiosLatest],
];

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

describe.each(versions)('with axios %s', (version, axios) => {
  function resilient(options: Parameters<typeof attachResilience>[1] = {}): AxiosInstance {
    const instance = axios.create({ baseURL: server.url }) as unknown as AxiosInstance;
    attachResilience(instance, { baseDelayMs: 1, retryBudget: false, ...options });
    return instance;
  }

  it('is the version this suite means to test', () => {
    expect(version).toMatch(/^1\./);
  });

  it('retries 503s until the answer is 200, and tells how many attempts it took', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 503 }, { status: 200, body: 'done' }]);

    const response = await resilient().get('/flaky');

    expect(response.data).toBe('done');
    expect(getRetryState(response)).toMatchObject({ attempts: 3 });
    expect(server.hits('/flaky')).toBe(3);
  });

  it('runs an unwrapping interceptor registered after attach once per attempt', async () => {
    server.plan('/flaky', [{ status: 503 }, { status: 200, body: 'done' }]);
    const instance = resilient();
    const seen: unknown[] = [];
    instance.interceptors.response.use(
      (response) => {
        seen.push(response.status);
        return response.data;
      },
      (error: { response?: { status?: number } }) => {
        seen.push(error.response?.status);
        return Promise.reject(error);
      },
    );

    await expect(instance.get('/flaky')).resolves.toBe('done');
    expect(seen).toEqual([503, 200]);
  });

  it('resends a keyed JSON POST byte-identical, with the same Idempotency-Key', async () => {
    server.plan('/orders', [{ status: 502 }, { status: 201 }]);

    await resilient({ idempotencyKey: true }).post('/orders', { item: 'book', qty: 2 });

    const [first, second] = server.requests.filter((r) => r.url === '/orders');
    expect(second?.body.toString()).toBe('{"item":"book","qty":2}');
    expect(second?.body.equals(first!.body)).toBe(true);
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
  });

  it('does not resend a streamed body', async () => {
    server.plan('/upload', [{ status: 503 }, { status: 200 }]);

    const error = await resilient()
      .put('/upload', Readable.from([Buffer.from('chunk')]))
      .catch((e: unknown) => e);

    expect(getRetryState(error)).toMatchObject({ attempts: 1, reason: 'body-not-replayable' });
    expect(server.hits('/upload')).toBe(1);
  });

  it('rejects at once when aborted during a wait, and sends nothing more', async () => {
    server.plan('/slow', [{ status: 503 }]);
    const controller = new AbortController();
    const instance = resilient({ baseDelayMs: 60_000, jitter: 'none' });

    const pending = instance.get('/slow', { signal: controller.signal }).catch((e: unknown) => e);
    while (server.hits('/slow') === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    expect(getRetryState(error)).toMatchObject({ attempts: 1, reason: 'canceled' });
    expect(server.hits('/slow')).toBe(1);
  });

  it('rejects (never throws synchronously) a request with invalid per-request options', async () => {
    const instance = resilient();

    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = instance.get('/x', { resilience: { retries: -1 } });
    }).not.toThrow();

    await expect(pending).rejects.toThrow('Expected `retries` to be a non-negative integer, got -1');
    expect(server.hits()).toBe(0);
  });
});
