import axios, { type AxiosInstance } from 'axios';
import { attachResilience, getRetryState, type ResilienceOptions } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(() => server.close());

function resilient(options: ResilienceOptions): AxiosInstance {
  const instance = axios.create({ baseURL: server.url });
  attachResilience(instance, { baseDelayMs: 1, ...options });
  return instance;
}

const keysSeen = (path: string): (string | undefined)[] =>
  server.requests
    .filter((r) => r.url === path)
    .map((r) => r.headers['idempotency-key'] as string | undefined);

describe('idempotencyKey', () => {
  it('sends the same random UUID key on every attempt of a POST, which makes it retryable', async () => {
    server.plan('/orders', [{ status: 503 }, { status: 503 }, { status: 201 }]);
    const api = resilient({ idempotencyKey: true });

    const response = await api.post('/orders', { item: 'book' });

    expect(response.status).toBe(201);
    const keys = keysSeen('/orders');
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(UUID_V4);
    expect(new Set(keys).size).toBe(1);
  });

  it('gives every logical request its own key', async () => {
    const api = resilient({ idempotencyKey: true });

    await api.post('/orders', {});
    await api.post('/orders', {});

    const [first, second] = keysSeen('/orders');
    expect(first).not.toBe(second);
  });

  it('does not retry a POST answered 503 when no key is asked for', async () => {
    server.plan('/orders', [{ status: 503 }, { status: 201 }]);
    const api = resilient({});

    const error = await api.post('/orders', {}).catch((e: unknown) => e);

    expect(getRetryState(error)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(keysSeen('/orders')).toEqual([undefined]);
  });

  it('adds a key to PATCH but not to GET, PUT or DELETE', async () => {
    const api = resilient({ idempotencyKey: true });

    await api.patch('/orders', {});
    await api.get('/orders');
    await api.put('/orders', {});
    await api.delete('/orders');

    const [patch, ...others] = keysSeen('/orders');
    expect(patch).toMatch(UUID_V4);
    expect(others).toEqual([undefined, undefined, undefined]);
  });

  it('uses the key a function makes from the config, made once per request', async () => {
    server.plan('/orders', [{ status: 503 }, { status: 200 }]);
    let made = 0;
    const api = resilient({ idempotencyKey: (config) => `${config.url ?? ''}-${++made}` });

    await api.post('/orders', {});

    expect(keysSeen('/orders')).toEqual(['/orders-1', '/orders-1']);
  });

  it('keeps an Idempotency-Key header the caller set', async () => {
    const api = resilient({ idempotencyKey: true });

    await api.post('/orders', {}, { headers: { 'Idempotency-Key': 'mine-1' } });

    expect(keysSeen('/orders')).toEqual(['mine-1']);
  });

  it("retries a POST carrying the caller's own key even without the option", async () => {
    server.plan('/orders', [{ status: 502 }, { status: 200 }]);
    const api = resilient({});

    const response = await api.post('/orders', {}, { headers: { 'Idempotency-Key': 'mine-2' } });

    expect(getRetryState(response)).toMatchObject({ attempts: 2 });
    expect(keysSeen('/orders')).toEqual(['mine-2', 'mine-2']);
  });

  it('retries a keyed POST whose connection dropped after the body was sent', async () => {
    server.plan('/orders', [{ resetAfterBody: true }, { status: 201 }]);
    const api = resilient({ idempotencyKey: true });

    const response = await api.post('/orders', { item: 'book' });

    expect(response.status).toBe(201);
    expect(server.requests.map((r) => r.body.toString())).toEqual(['{"item":"book"}', '{"item":"book"}']);
  });

  it('retries a keyed request answered 409 (still processing) after a backoff', async () => {
    server.plan('/orders', [{ status: 409 }, { status: 201 }]);
    const api = resilient({ idempotencyKey: true, baseDelayMs: 20, jitter: 'none' });

    const response = await api.post('/orders', {});

    expect(response.status).toBe(201);
    expect(getRetryState(response)).toMatchObject({ attempts: 2, delaysMs: [20] });
  });

  it('never retries a keyed request answered 422 (key reused with another payload)', async () => {
    server.plan('/orders', [{ status: 422 }, { status: 201 }]);
    const api = resilient({ idempotencyKey: true });

    const error = await api.post('/orders', {}).catch((e: unknown) => e);

    expect(getRetryState(error)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.hits('/orders')).toBe(1);
  });

  it('does not retry 409 on a request without a key', async () => {
    server.plan('/orders', [{ status: 409 }, { status: 200 }]);
    const api = resilient({});

    const error = await api.put('/orders', {}).catch((e: unknown) => e);

    expect(getRetryState(error)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
  });

  it('rejects before sending when the key function returns an empty string', async () => {
    const api = resilient({ idempotencyKey: () => '' });

    await expect(api.post('/orders', {})).rejects.toThrow(TypeError);
    expect(server.hits('/orders')).toBe(0);
  });

  it('leaves a request whose key function threw out of the counters', async () => {
    const instance = axios.create({ baseURL: server.url });
    const handle = attachResilience(instance, { idempotencyKey: () => '' });

    await instance.post('/orders', {}).catch(() => undefined);

    expect(handle.stats()).toMatchObject({ requests: 0, attempts: 0 });
  });

  it('turns keys on for one request through config.resilience', async () => {
    const api = resilient({});

    await api.post('/orders', {}, { resilience: { idempotencyKey: true } });

    expect(keysSeen('/orders')[0]).toMatch(UUID_V4);
  });
});
