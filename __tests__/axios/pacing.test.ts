/**
 * Respecting the server's limits, on the real test server: a 429 (or a 503 naming a wait) pauses
 * the whole scope; RateLimit headers pace it. Waits are read on the server side, on a fake clock.
 */
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import {
  attachResilience,
  getRetryState,
  isRateLimitedError,
  type ResilienceHandle,
  type ResilienceOptions,
} from '../../src/index.js';
import { rejectionOf } from '../helpers/outcome.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let other: TestServer;

beforeEach(async () => {
  server = await startTestServer();
  other = await startTestServer();
});

afterEach(async () => {
  jest.useRealTimers();
  await server.close();
  await other.close();
});

function attached(options: ResilienceOptions = {}): { instance: AxiosInstance; handle: ResilienceHandle } {
  const instance = axios.create({ baseURL: server.url });
  const handle = attachResilience(instance, { baseDelayMs: 1, jitter: 'none', retries: 0, ...options });
  return { instance, handle };
}

/** Real I/O turns (setImmediate is not faked) until `condition` holds. */
async function until(condition: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
}

function fakeClock(): void {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
}

describe('a 429 that names a wait', () => {
  it('pauses every new call to its scope until the time named', async () => {
    fakeClock();
    const { instance, handle } = attached();
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '2' } }]);
    await rejectionOf(instance.get('/a'));

    const later = instance.get('/b');
    await jest.advanceTimersByTimeAsync(1900);
    await until(() => false, 50);
    expect(server.hits('/b')).toBe(0);
    await jest.advanceTimersByTimeAsync(150);
    await until(() => server.hits('/b') === 1);

    expect((await later).status).toBe(200);
    expect(handle.stats().pacedAttempts).toBe(1);
  });

  it('leaves other scopes alone', async () => {
    fakeClock();
    const { instance } = attached();
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '30' } }]);
    await rejectionOf(instance.get('/a'));

    const response = await instance.get(`${other.url}/elsewhere`);

    expect(response.status).toBe(200);
  });

  it('rejects a new call at once, unsent, with RateLimitedError when the pause is longer than maxRetryAfterMs', async () => {
    const { instance, handle } = attached({ maxRetryAfterMs: 10_000 });
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '60' } }]);
    await rejectionOf(instance.get('/a'));

    const error = await rejectionOf(instance.get('/b'));

    expect(isRateLimitedError(error)).toBe(true);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_RATE_LIMITED', scope: `http://127.0.0.1:${server.port}` });
    expect((error as unknown as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(59_000);
    expect(error.response).toBeUndefined();
    expect(getRetryState(error)?.reason).toBe('retry-after-too-long');
    expect(server.hits('/b')).toBe(0);
    expect(handle.stats()).toMatchObject({ requests: 2, attempts: 1 });
  });

  it('rejects a new call whose pause would end past its deadline, with reason deadline', async () => {
    const { instance } = attached();
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '5' } }]);
    await rejectionOf(instance.get('/a'));

    const error = await rejectionOf(instance.get('/b', { resilience: { deadlineMs: 1000 } }));

    expect(isRateLimitedError(error)).toBe(true);
    expect(getRetryState(error)?.reason).toBe('deadline');
  });

  it('rejects with CanceledError when the caller aborts the wait for its scope', async () => {
    const { instance } = attached();
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '5' } }]);
    await rejectionOf(instance.get('/a'));
    const controller = new AbortController();
    const call = rejectionOf(instance.get('/b', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 10);

    const error = await call;

    expect(axios.isCancel(error)).toBe(true);
    expect(getRetryState(error)?.reason).toBe('canceled');
    expect(server.hits('/b')).toBe(0);
  });

  it('pauses the scope on a 503 naming a wait, too', async () => {
    const { instance } = attached({ maxRetryAfterMs: 1000 });
    server.plan('/a', [{ status: 503, headers: { 'retry-after': '30' } }]);
    await rejectionOf(instance.get('/a'));

    expect(isRateLimitedError(await rejectionOf(instance.get('/b')))).toBe(true);
  });

  it('pauses nothing on a 429 that names no wait', async () => {
    const { instance } = attached();
    server.plan('/a', [{ status: 429 }]);
    await rejectionOf(instance.get('/a'));

    expect((await instance.get('/b')).status).toBe(200);
  });

  it('pauses nothing with `pacing: false`', async () => {
    const { instance } = attached({ pacing: false, maxRetryAfterMs: 1000 });
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '60' } }]);
    await rejectionOf(instance.get('/a'));

    expect((await instance.get('/b')).status).toBe(200);
  });

  it('lets a request with `pacing: false` neither wait for its scope nor pause it', async () => {
    const { instance } = attached({ maxRetryAfterMs: 1000 });
    server.plan('/a', [{ status: 429, headers: { 'retry-after': '60' } }]);
    await rejectionOf(instance.get('/a', { resilience: { pacing: false } }));
    expect((await instance.get('/b')).status).toBe(200);

    await rejectionOf(instance.get('/a'));
    expect((await instance.get('/b', { resilience: { pacing: false } })).status).toBe(200);
  });
});

describe('pacing before the wall', () => {
  it('sends at most r more attempts before t seconds are over; the rest wait', async () => {
    fakeClock();
    const { instance } = attached();
    server.plan('/first', [{ status: 200, headers: { ratelimit: '"default";r=2;t=1' } }]);
    await instance.get('/first');

    const calls = [instance.get('/x'), instance.get('/x'), instance.get('/x')];
    await until(() => server.hits('/x') === 2);
    await until(() => false, 50);
    expect(server.hits('/x')).toBe(2);
    await jest.advanceTimersByTimeAsync(1001);
    await until(() => server.hits('/x') === 3);

    expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('counts the attempts already in flight when the quota arrives', async () => {
    fakeClock();
    const { instance } = attached();
    let answered = 0;
    const held: Array<() => void> = [];
    server.handle('/slow', (_req, res) => {
      held.push(() => res.end('ok'));
    });
    server.handle('/quota', (_req, res) => {
      answered += 1;
      res.writeHead(200, { ratelimit: '"default";r=3;t=1', 'content-length': 2 });
      res.end('ok');
    });
    const slow = [instance.get('/slow'), instance.get('/slow')];
    await until(() => held.length === 2);
    await instance.get('/quota'); // r=3 while 2 are in flight: 1 more may start

    const next = [instance.get('/x'), instance.get('/x')];
    await until(() => server.hits('/x') === 1);
    await until(() => false, 50);
    expect(server.hits('/x')).toBe(1);

    held.forEach((answer) => answer());
    await Promise.all(slow);
    await jest.advanceTimersByTimeAsync(1001);
    await until(() => server.hits('/x') === 2);
    await Promise.all(next);
    expect(answered).toBe(1);
  });

  // The answer reaches the guards by one of two routes: the plugin's own response interceptor
  // while it is the instance's only one, else the boundary, before any other interceptor.
  it.each([
    ['no other response interceptor', (_instance: AxiosInstance) => undefined],
    [
      'an interceptor unwrapping r.data, added after attaching',
      (instance: AxiosInstance) => instance.interceptors.response.use((r) => r.data as never),
    ],
    [
      // The plugin's own interceptor is gone with it (no retries), but its guards still learn.
      'the response handlers reset by hand (`handlers = []`)',
      (instance: AxiosInstance) => {
        (instance.interceptors.response as unknown as { handlers: unknown[] }).handlers = [];
      },
    ],
  ])('reads the quota and counts the attempt in flight with %s', async (_route, addInterceptor) => {
    const { instance } = attached({ maxRetryAfterMs: 5000 });
    addInterceptor(instance);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.plan('/first', [
      { status: 200, headers: { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': String(reset) } },
    ]);
    await instance.get('/first');
    await instance.get('/x'); // the one attempt the quota leaves

    const error = await rejectionOf(instance.get('/x'));

    expect(isRateLimitedError(error)).toBe(true);
    expect(server.hits('/x')).toBe(1);
  });

  // A request can reach the plugin's adapter through another instance's chain, without the
  // plugin's response interceptor: `axios(error.config)` in a 401 refresh, or `instance.create()`.
  it('counts an attempt sent through another instance with its adapter, and lets its slot go', async () => {
    const { instance } = attached({ maxRetryAfterMs: 500 });
    await axios.get(`${server.url}/elsewhere`, { adapter: instance.defaults.adapter as AxiosAdapter });
    server.plan('/quota', [{ status: 200, headers: { ratelimit: '"default";r=2;t=60' } }]);
    await instance.get('/quota'); // r=2 with nothing in flight: 2 more may start

    const sent = await Promise.allSettled([instance.get('/x'), instance.get('/x')]);

    expect(sent.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(server.hits('/x')).toBe(2);
  });

  it('reads GitHub-style X-RateLimit headers with an epoch reset', async () => {
    const { instance } = attached({ maxRetryAfterMs: 5000 });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.plan('/first', [
      { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } },
    ]);
    await instance.get('/first');

    const error = await rejectionOf(instance.get('/x'));

    expect(isRateLimitedError(error)).toBe(true);
    expect(server.hits('/x')).toBe(0);
  });
});
