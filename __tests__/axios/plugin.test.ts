import { Readable } from 'node:stream';
import axios, {
  AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  type InternalAxiosRequestConfig,
} from 'axios';
import MockAdapter from 'axios-mock-adapter';
import {
  attachResilience,
  getRetryState,
  type GiveUpContext,
  type ResilienceHandle,
  type ResilienceOptions,
  type RetryContext,
} from '../../src/index.js';
import { rejectionOf } from '../helpers/outcome.js';

interface Setup {
  instance: AxiosInstance;
  mock: MockAdapter;
  handle: ResilienceHandle;
}

/** A mocked instance with resilience attached; no waits and no budget unless asked. */
function setup(options: ResilienceOptions = {}): Setup {
  const instance = axios.create();
  const mock = new MockAdapter(instance);
  const handle = attachResilience(instance, { baseDelayMs: 0, retryBudget: false, ...options });
  return { instance, mock, handle };
}

/** A reply that fails with no response and the given `AxiosError.code`. */
const failWith =
  (code: string) =>
  (config: AxiosRequestConfig): Promise<never> =>
    Promise.reject(new AxiosError(`failed with ${code}`, code, config as InternalAxiosRequestConfig));

/** Lets every pending promise and I/O callback run, without moving the (possibly fake) clock. */
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Watches a promise without awaiting it. */
function track<T>(promise: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

describe('what is never retried', () => {
  it('does not retry a request canceled with an AbortSignal', async () => {
    const { instance, mock } = setup();
    const controller = new AbortController();
    mock.onGet('/x').reply(() => {
      controller.abort();
      return [503];
    });
    const error = await rejectionOf(instance.get('/x', { signal: controller.signal }));
    expect(axios.isCancel(error)).toBe(true);
    expect(mock.history.get).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('canceled');
  });

  it('does not retry a request canceled with a CancelToken', async () => {
    const { instance, mock } = setup();
    const source = axios.CancelToken.source();
    mock.onGet('/x').reply(() => {
      source.cancel('user left');
      return [503];
    });
    const error = await rejectionOf(instance.get('/x', { cancelToken: source.token }));
    expect(axios.isCancel(error)).toBe(true);
    expect(mock.history.get).toHaveLength(1);
  });

  it('does not resend a Node Readable body', async () => {
    const { instance, mock } = setup();
    mock.onPut('/x').reply(503);
    const error = await rejectionOf(instance.put('/x', Readable.from(['chunk'])));
    expect(mock.history.put).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('body-not-replayable');
  });

  it('does not resend a web ReadableStream body', async () => {
    const { instance, mock } = setup();
    mock.onPut('/x').reply(503);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'));
        controller.close();
      },
    });
    const error = await rejectionOf(instance.put('/x', body));
    expect(mock.history.put).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('body-not-replayable');
  });

  it('does not resend an async iterable body', async () => {
    const { instance, mock } = setup();
    mock.onPut('/x').reply(503);
    const body = {
      async *[Symbol.asyncIterator]() {
        yield 'chunk';
      },
    };
    const error = await rejectionOf(instance.put('/x', body));
    expect(mock.history.put).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('body-not-replayable');
  });

  it('does not retry a request sent with `resilience: false`', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').reply(503);
    const error = await rejectionOf(instance.get('/x', { resilience: false }));
    expect(mock.history.get).toHaveLength(1);
    expect(error.response?.status).toBe(503);
    expect(getRetryState(error)).toBeUndefined();
  });

  it('passes an error without a config (not from axios) through untouched', async () => {
    const { instance, mock } = setup();
    const boom = new Error('interceptor failed');
    instance.interceptors.request.use(() => {
      throw boom;
    });
    await expect(instance.get('/x')).rejects.toBe(boom);
    expect(mock.history.get).toHaveLength(0);
  });
});

describe('what is retried', () => {
  it.each([408, 429, 502, 503, 504])('retries a GET answered %i', async (status) => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(status).onGet('/x').reply(200, 'ok');
    await expect(instance.get('/x')).resolves.toMatchObject({ data: 'ok' });
    expect(mock.history.get).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 405, 406, 409, 422, 500, 501])(
    'does not retry a GET answered %i',
    async (status) => {
      const { instance, mock } = setup();
      mock.onGet('/x').replyOnce(status).onGet('/x').reply(200, 'ok');
      const error = await rejectionOf(instance.get('/x'));
      expect(error.response?.status).toBe(status);
      expect(mock.history.get).toHaveLength(1);
      expect(getRetryState(error)?.reason).toBe('not-retryable');
    },
  );

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'ECONNABORTED',
    'EPIPE',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ERR_NETWORK',
  ])('retries a GET that failed with %s', async (code) => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(failWith(code)).onGet('/x').reply(200, 'ok');
    await expect(instance.get('/x')).resolves.toMatchObject({ data: 'ok' });
    expect(mock.history.get).toHaveLength(2);
  });

  it('retries a GET that timed out (as the mock adapter reports it)', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').timeoutOnce().onGet('/x').reply(200, 'ok');
    await expect(instance.get('/x', { timeout: 10 })).resolves.toMatchObject({ data: 'ok' });
  });

  it('does not retry an error code outside retryOnErrorCodes', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(failWith('ERR_FR_TOO_MANY_REDIRECTS')).onGet('/x').reply(200);
    await expect(instance.get('/x')).rejects.toMatchObject({ code: 'ERR_FR_TOO_MANY_REDIRECTS' });
    expect(mock.history.get).toHaveLength(1);
  });

  it.each(['head', 'options', 'put', 'delete'] as const)(
    'retries an idempotent %s answered 502',
    async (method) => {
      const { instance, mock } = setup();
      mock.onAny('/x').replyOnce(502).onAny('/x').reply(204);
      await expect(instance.request({ method, url: '/x' })).resolves.toMatchObject({ status: 204 });
      expect(mock.history[method]).toHaveLength(2);
    },
  );

  it('follows the `methods` option', async () => {
    const { instance, mock } = setup({ methods: ['post'] });
    mock.onAny('/x').replyOnce(502).onAny('/x').reply(200);
    await expect(instance.post('/x', { a: 1 })).resolves.toMatchObject({ status: 200 });
    await expect(instance.get('/y')).rejects.toThrow('404');
    mock.onGet('/z').replyOnce(502).onGet('/z').reply(200);
    await expect(instance.get('/z')).rejects.toThrow('502');
  });

  it('follows the `retryOnStatus` option', async () => {
    const { instance, mock } = setup({ retryOnStatus: [500] });
    mock.onGet('/x').replyOnce(500).onGet('/x').reply(200).onGet('/y').reply(503);
    await expect(instance.get('/x')).resolves.toMatchObject({ status: 200 });
    await expect(instance.get('/y')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(3);
  });
});

describe('POST and PATCH', () => {
  it('retries a POST whose connection was refused (nothing reached the server)', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(failWith('ECONNREFUSED')).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).resolves.toMatchObject({ status: 201 });
    expect(mock.history.post).toHaveLength(2);
  });

  it('does not retry a POST whose connection was reset (it may have been processed)', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(failWith('ECONNRESET')).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(mock.history.post).toHaveLength(1);
  });

  it('retries a POST answered 429', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(429).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).resolves.toMatchObject({ status: 201 });
  });

  it('retries a POST answered 503 with Retry-After', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(503, '', { 'Retry-After': '0' }).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).resolves.toMatchObject({ status: 201 });
  });

  it('does not retry a POST answered 503 without Retry-After', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(503).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).rejects.toThrow('503');
    expect(mock.history.post).toHaveLength(1);
  });

  it('does not retry a POST answered 502 (behind a proxy, it may have been processed)', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(502).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).rejects.toThrow('502');
    expect(mock.history.post).toHaveLength(1);
  });

  it('retries a POST answered 502 when it carries an Idempotency-Key header', async () => {
    const { instance, mock } = setup();
    mock.onPost('/x').replyOnce(502).onPost('/x').reply(201);
    const headers = { 'Idempotency-Key': 'order-42' };
    await expect(instance.post('/x', { a: 1 }, { headers })).resolves.toMatchObject({ status: 201 });
    expect(mock.history.post.map((c) => c.headers?.['Idempotency-Key'])).toEqual(['order-42', 'order-42']);
  });

  it('retries a PATCH whose connection was refused, but not one answered 502', async () => {
    const { instance, mock } = setup();
    mock.onPatch('/a').replyOnce(failWith('ECONNREFUSED')).onPatch('/a').reply(200);
    mock.onPatch('/b').replyOnce(502).onPatch('/b').reply(200);
    await expect(instance.patch('/a', {})).resolves.toMatchObject({ status: 200 });
    await expect(instance.patch('/b', {})).rejects.toThrow('502');
  });

  it('with `idempotencyKey: true`, sends the same generated key on every attempt of a POST', async () => {
    const { instance, mock } = setup({ idempotencyKey: true });
    mock.onPost('/x').replyOnce(502).onPost('/x').reply(201);
    await expect(instance.post('/x', { a: 1 })).resolves.toMatchObject({ status: 201 });
    const keys = mock.history.post.map((c) => c.headers?.['Idempotency-Key'] as unknown);
    expect(keys).toHaveLength(2);
    expect(typeof keys[0]).toBe('string');
    expect(keys[1]).toBe(keys[0]);
  });
});

describe('limits and giving up', () => {
  it('makes `retries + 1` attempts, then gives up as exhausted', async () => {
    const { instance, mock } = setup({ retries: 2 });
    mock.onGet('/x').reply(503);
    const error = await rejectionOf(instance.get('/x'));
    expect(mock.history.get).toHaveLength(3);
    expect(getRetryState(error)).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });

  it('sends a single attempt with `retries: 0`', async () => {
    const { instance, mock } = setup({ retries: 0 });
    mock.onGet('/x').reply(503);
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(1);
  });

  it("gives back axios's own AxiosError of the last attempt, with its retry state", async () => {
    const { instance, mock } = setup({ retries: 2, baseDelayMs: 1, jitter: 'none' });
    mock
      .onGet('/x')
      .replyOnce(503, 'first')
      .onGet('/x')
      .replyOnce(502, 'second')
      .onGet('/x')
      .reply(504, 'last');
    const error = await rejectionOf(instance.get('/x'));
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error).toBeInstanceOf(AxiosError);
    expect(error.response?.status).toBe(504);
    expect(error.response?.data).toBe('last');
    expect(getRetryState(error)).toEqual({
      attempts: 3,
      delaysMs: [1, 2],
      elapsedMs: expect.any(Number),
      hedges: 0,
      reason: 'exhausted',
    });
  });

  it('tells the retry story of a response that succeeded after retries', async () => {
    const { instance, mock } = setup({ baseDelayMs: 1, jitter: 'none' });
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200);
    const response = await instance.get('/x');
    const state = getRetryState(response);
    expect(state).toEqual({ attempts: 2, delaysMs: [1], elapsedMs: expect.any(Number), hedges: 0 });
    expect(state?.elapsedMs).toBeGreaterThanOrEqual(1);
  });

  it("treats re-sending a failed request's config as a new request, with its own retries", async () => {
    const { instance, mock } = setup({ retries: 1 });
    mock.onGet('/x').reply(503);
    const error = await rejectionOf(instance.get('/x'));
    mock.resetHandlers();
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, 'ok');
    const response = await instance.request(error.config!);
    expect(response.data).toBe('ok');
    expect(getRetryState(response)).toMatchObject({ attempts: 2, delaysMs: [0] });
  });

  it('has no retry state for something that never went through the plugin', () => {
    expect(getRetryState(new Error('x'))).toBeUndefined();
    expect(getRetryState({ config: {} })).toBeUndefined();
    expect(getRetryState(null)).toBeUndefined();
  });
});

describe('per-request options', () => {
  it("override the instance's options for that request only", async () => {
    const { instance, mock } = setup({ retries: 3 });
    mock.onGet('/x').reply(503);
    await expect(instance.get('/x', { resilience: { retries: 1 } })).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(2);
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(6);
  });

  it('can retry a status the instance does not', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(500).onGet('/x').reply(200);
    await expect(instance.get('/x', { resilience: { retryOnStatus: [500] } })).resolves.toMatchObject({
      status: 200,
    });
  });
});

describe('waiting', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('rejects at once with CanceledError when the signal is aborted during a wait, and sends nothing more', async () => {
    const { instance, mock } = setup({ baseDelayMs: 1000, jitter: 'none' });
    mock.onGet('/x').reply(503);
    const controller = new AbortController();
    const outcome = track(instance.get('/x', { signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(10);
    expect(jest.getTimerCount()).toBe(1);
    controller.abort();
    await drain();
    expect(outcome.done).toBe(true);
    expect(axios.isCancel(outcome.error)).toBe(true);
    expect(getRetryState(outcome.error)?.reason).toBe('canceled');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(mock.history.get).toHaveLength(1);
  });

  it('rejects at once with CanceledError when the CancelToken fires during a wait', async () => {
    const { instance, mock } = setup({ baseDelayMs: 1000, jitter: 'none' });
    mock.onGet('/x').reply(503);
    const source = axios.CancelToken.source();
    const outcome = track(instance.get('/x', { cancelToken: source.token }));
    await jest.advanceTimersByTimeAsync(10);
    source.cancel('user left');
    await drain();
    expect(outcome.done).toBe(true);
    expect(axios.isCancel(outcome.error)).toBe(true);
    expect((outcome.error as Error).message).toBe('user left');
    expect(getRetryState(outcome.error)?.reason).toBe('canceled');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(mock.history.get).toHaveLength(1);
  });

  it('leaves no timer behind after a wait is canceled', async () => {
    const { instance, mock } = setup({ baseDelayMs: 1000 });
    mock.onGet('/x').reply(503);
    const controller = new AbortController();
    const outcome = track(instance.get('/x', { signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(10);
    controller.abort();
    await drain();
    expect(outcome.done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('retries after `Retry-After: 0` without a timer tick', async () => {
    const { instance, mock } = setup({ baseDelayMs: 1000 });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': '0' }).onGet('/x').reply(200, 'ok');
    const outcome = track(instance.get('/x'));
    for (let i = 0; i < 5 && !outcome.done; i++) await drain();
    expect(outcome.value?.data).toBe('ok');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits the seconds a 429 asks for in Retry-After', async () => {
    const { instance, mock } = setup({ baseDelayMs: 10 });
    mock.onGet('/x').replyOnce(429, '', { 'Retry-After': '2' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(1999);
    expect(mock.history.get).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(mock.history.get).toHaveLength(2);
    await drain();
    expect(outcome.value?.status).toBe(200);
  });

  it('waits until the HTTP-date a 503 gives in Retry-After', async () => {
    jest.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
    const retryAt = new Date(Date.now() + 3000).toUTCString();
    const { instance, mock } = setup({ baseDelayMs: 10 });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': retryAt }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(2999);
    expect(mock.history.get).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await drain();
    expect(outcome.value?.status).toBe(200);
    expect(getRetryState(outcome.value)?.delaysMs).toEqual([3000]);
  });

  it('waits what RateLimit-Reset says when a 429 has no Retry-After', async () => {
    const { instance, mock } = setup({ baseDelayMs: 10 });
    mock.onGet('/x').replyOnce(429, '', { 'RateLimit-Reset': '4' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(4000);
    await drain();
    expect(getRetryState(outcome.value)?.delaysMs).toEqual([4000]);
  });

  it('ignores a garbage Retry-After and backs off instead of retrying at once', async () => {
    const { instance, mock } = setup({ baseDelayMs: 500, jitter: 'none' });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': 'soon' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(499);
    expect(mock.history.get).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await drain();
    expect(getRetryState(outcome.value)?.delaysMs).toEqual([500]);
  });

  it('backs off instead when `respectRetryAfter` is false', async () => {
    const { instance, mock } = setup({ baseDelayMs: 500, jitter: 'none', respectRetryAfter: false });
    mock.onGet('/x').replyOnce(429, '', { 'Retry-After': '30' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(500);
    await drain();
    expect(getRetryState(outcome.value)?.delaysMs).toEqual([500]);
  });

  it('fails at once when Retry-After asks for longer than maxRetryAfterMs', async () => {
    const { instance, mock } = setup({ maxRetryAfterMs: 60_000 });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': '120' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await drain();
    expect(outcome.done).toBe(true);
    const error = outcome.error as AxiosError;
    expect(error.response?.status).toBe(503);
    expect(getRetryState(error)?.reason).toBe('retry-after-too-long');
    expect(mock.history.get).toHaveLength(1);
  });

  it('bounds a server-requested wait by maxRetryAfterMs, not maxDelayMs', async () => {
    const { instance, mock } = setup({ maxDelayMs: 1000, maxRetryAfterMs: 10_000 });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': '5' }).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    await jest.advanceTimersByTimeAsync(5000);
    await drain();
    expect(getRetryState(outcome.value)?.delaysMs).toEqual([5000]);
  });

  it('never waits longer than a timer can, even when Retry-After asks for more', async () => {
    const planned: number[] = [];
    const { instance, mock } = setup({
      maxRetryAfterMs: Number.MAX_SAFE_INTEGER,
      onRetry: ({ delayMs }) => void planned.push(delayMs),
    });
    mock.onGet('/x').replyOnce(503, '', { 'Retry-After': '3000000' }).onGet('/x').reply(200);
    const controller = new AbortController();
    const outcome = track(instance.get('/x', { signal: controller.signal }));
    // An oversized setTimeout fires after 1 ms instead (Node's TimeoutOverflowWarning).
    await jest.advanceTimersByTimeAsync(1000);
    expect(mock.history.get).toHaveLength(1);
    controller.abort();
    await drain();
    expect(planned).toEqual([2 ** 31 - 1]);
    expect(getRetryState(outcome.error)?.delaysMs).toEqual([1000]);
  });

  it('never waits longer than a timer can, even with a huge backoff', async () => {
    const planned: number[] = [];
    const { instance, mock } = setup({
      baseDelayMs: 1e12,
      maxDelayMs: 1e13,
      onRetry: ({ delayMs }) => void planned.push(delayMs),
    });
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200);
    const controller = new AbortController();
    const outcome = track(instance.get('/x', { signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(1000);
    expect(mock.history.get).toHaveLength(1);
    controller.abort();
    await drain();
    expect(planned).toEqual([2 ** 31 - 1]);
    expect(getRetryState(outcome.error)?.delaysMs).toEqual([1000]);
  });
});

describe('interceptors', () => {
  it('runs response interceptors added before and after attaching once per attempt, in order', async () => {
    const instance = axios.create();
    const mock = new MockAdapter(instance);
    mock.onGet('/x').replyOnce(503).onGet('/x').replyOnce(502).onGet('/x').reply(200, 'ok');
    const calls = { before: 0, after: 0 };
    instance.interceptors.response.use(
      (r) => ({ ...r, data: `${r.data}|before` }),
      (e: unknown) => {
        calls.before += 1;
        throw e;
      },
    );
    attachResilience(instance, { baseDelayMs: 0 });
    instance.interceptors.response.use(
      (r) => ({ ...r, data: `${r.data}|after` }),
      (e: unknown) => {
        calls.after += 1;
        throw e;
      },
    );
    const response = await instance.get('/x');
    expect(response.data).toBe('ok|before|after');
    expect(calls).toEqual({ before: 2, after: 2 });
  });

  it('still works with an interceptor that unwraps response.data on a retried call', async () => {
    const instance = axios.create();
    const mock = new MockAdapter(instance);
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, { id: 1 });
    attachResilience(instance, { baseDelayMs: 0 });
    instance.interceptors.response.use((r) => r.data);
    await expect(instance.get('/x')).resolves.toEqual({ id: 1 });
  });

  it('wraps a default adapter set after attaching, and detach() leaves it to the app', async () => {
    const instance = axios.create();
    const handle = attachResilience(instance, { baseDelayMs: 0, retryBudget: false });
    const mock = new MockAdapter(instance);
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, 'ok');
    await expect(instance.get('/x')).resolves.toMatchObject({ data: 'ok' });
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 2, successes: 1 });
    handle.detach();
    mock.onGet('/y').replyOnce(503).onGet('/y').reply(200, 'ok');
    await expect(instance.get('/y')).rejects.toMatchObject({ response: { status: 503 } });
  });

  it('keeps the ids of interceptors added after attaching valid for eject', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, 'ok');
    const id = instance.interceptors.response.use((r) => ({ ...r, data: 'tampered' }));
    instance.interceptors.response.eject(id);
    await expect(instance.get('/x')).resolves.toMatchObject({ data: 'ok' });
  });

  it('still retries after interceptors.response.clear()', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, 'ok');
    instance.interceptors.response.clear();
    await expect(instance.get('/x')).resolves.toMatchObject({ data: 'ok' });
  });

  it('runs request interceptors again on each attempt, so a refreshed token is picked up', async () => {
    const { instance, mock } = setup();
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200);
    let token = 'expired';
    instance.interceptors.request.use((config) => {
      config.headers.set('Authorization', `Bearer ${token}`);
      token = 'fresh';
      return config;
    });
    await instance.get('/x');
    expect(mock.history.get.map((c) => c.headers?.Authorization)).toEqual(['Bearer expired', 'Bearer fresh']);
  });

  it('resends a JSON body byte for byte, not encoded twice', async () => {
    const { instance, mock } = setup();
    mock.onPut('/x').replyOnce(503).onPut('/x').reply(200);
    await instance.put('/x', { name: 'ü', list: [1, 2] });
    expect(mock.history.put.map((c) => c.data as unknown)).toEqual([
      '{"name":"ü","list":[1,2]}',
      '{"name":"ü","list":[1,2]}',
    ]);
  });

  it('resends the output of a custom transformRequest as it was, without transforming it again', async () => {
    const instance = axios.create({
      transformRequest: [(data: unknown) => JSON.stringify({ wrapped: data })],
    });
    const mock = new MockAdapter(instance);
    attachResilience(instance, { baseDelayMs: 0 });
    mock.onPut('/x').replyOnce(503).onPut('/x').reply(200);
    await instance.put('/x', { a: 1 });
    expect(mock.history.put.map((c) => c.data as unknown)).toEqual([
      '{"wrapped":{"a":1}}',
      '{"wrapped":{"a":1}}',
    ]);
  });
});

describe('hooks', () => {
  it('calls onRetry before each wait with the attempt, wait, error, config and reason', async () => {
    const seen: RetryContext[] = [];
    const { instance, mock } = setup({
      baseDelayMs: 1,
      jitter: 'none',
      onRetry: (ctx) => void seen.push(ctx),
    });
    mock.onGet('/x').replyOnce(503).onGet('/x').replyOnce(failWith('ECONNRESET')).onGet('/x').reply(200);
    const response = await instance.get('/x');
    expect(seen.map(({ attempt, delayMs, reason }) => ({ attempt, delayMs, reason }))).toEqual([
      { attempt: 1, delayMs: 1, reason: 'status 503' },
      { attempt: 2, delayMs: 2, reason: 'ECONNRESET' },
    ]);
    expect(seen[0]?.error.response?.status).toBe(503);
    expect(seen[1]?.error.code).toBe('ECONNRESET');
    expect(seen[0]?.config.url).toBe('/x');
    expect(getRetryState(response)?.delaysMs).toEqual([1, 2]);
  });

  it('calls onGiveUp with the attempts, the error the caller gets, and the reason', async () => {
    const seen: GiveUpContext[] = [];
    const { instance, mock } = setup({ retries: 1, onGiveUp: (ctx) => void seen.push(ctx) });
    mock.onGet('/x').reply(503);
    const error = await rejectionOf(instance.get('/x'));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.attempts).toBe(2);
    expect(seen[0]?.reason).toBe('exhausted');
    expect(seen[0]?.error).toBe(error);
  });

  it('waits for an async onRetry before sending the next attempt', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const { instance, mock } = setup({
      onRetry: async () => {
        entered = true;
        await gate;
      },
    });
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200);
    const outcome = track(instance.get('/x'));
    while (!entered) await drain();
    await drain();
    expect(mock.history.get).toHaveLength(1);
    release();
    while (!outcome.done) await drain();
    expect(outcome.value?.status).toBe(200);
  });

  describe('that throw', () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    beforeEach(() => process.on('unhandledRejection', onUnhandled));
    afterEach(() => process.off('unhandledRejection', onUnhandled));

    it('rejects the call with the error onRetry threw, and sends nothing more', async () => {
      const hookError = new Error('onRetry failed');
      const { instance, mock } = setup({
        onRetry: () => {
          throw hookError;
        },
      });
      mock.onGet('/x').reply(503);
      await expect(instance.get('/x')).rejects.toBe(hookError);
      await drain();
      expect(mock.history.get).toHaveLength(1);
      expect(unhandled).toEqual([]);
    });

    it('rejects the call with the error an async onGiveUp threw', async () => {
      const hookError = new Error('onGiveUp failed');
      const { instance, mock } = setup({
        retries: 0,
        onGiveUp: async () => {
          throw hookError;
        },
      });
      mock.onGet('/x').reply(503);
      await expect(instance.get('/x')).rejects.toBe(hookError);
      await drain();
      expect(unhandled).toEqual([]);
    });

    it('counts a call a hook ended as one request given up, so the counters still add up', async () => {
      const { instance, mock, handle } = setup({
        onRetry: () => {
          throw new Error('onRetry failed');
        },
      });
      mock.onGet('/x').reply(503);
      await instance.get('/x').catch(() => undefined);
      const stats = handle.stats();
      expect(stats).toMatchObject({ requests: 1, attempts: 1, successes: 0 });
      expect(stats.giveUps['not-retryable']).toBe(1);
    });

    it("ends the request once when a retry's own request interceptor throws", async () => {
      const { instance, mock, handle } = setup();
      let attempts = 0;
      instance.interceptors.request.use((config) => {
        attempts += 1;
        if (attempts === 2) throw new Error('token refresh failed');
        return config;
      });
      mock.onGet('/x').reply(503);
      await expect(instance.get('/x')).rejects.toThrow('token refresh failed');
      const stats = handle.stats();
      expect(mock.history.get).toHaveLength(1);
      expect(stats.requests).toBe(1);
      expect(stats.giveUps['not-retryable']).toBe(1);
    });

    it('rejects the call with the error shouldRetry threw', async () => {
      const hookError = new Error('shouldRetry failed');
      const { instance, mock } = setup({
        shouldRetry: () => {
          throw hookError;
        },
      });
      mock.onGet('/x').reply(503);
      await expect(instance.get('/x')).rejects.toBe(hookError);
      await drain();
      expect(unhandled).toEqual([]);
    });
  });

  it('lets shouldRetry retry what the classification would not', async () => {
    const { instance, mock } = setup({ shouldRetry: ({ error }) => error.response?.status === 500 });
    mock.onPost('/x').replyOnce(500).onPost('/x').reply(201);
    await expect(instance.post('/x', {})).resolves.toMatchObject({ status: 201 });
  });

  it('lets shouldRetry refuse what the classification would retry', async () => {
    const { instance, mock } = setup({ shouldRetry: async () => false });
    mock.onGet('/x').reply(503);
    const error = await rejectionOf(instance.get('/x'));
    expect(mock.history.get).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('not-retryable');
  });

  it('does not let shouldRetry resend a canceled request', async () => {
    const controller = new AbortController();
    const { instance, mock } = setup({ shouldRetry: () => true });
    mock.onGet('/x').reply(() => {
      controller.abort();
      return [503];
    });
    const error = await rejectionOf(instance.get('/x', { signal: controller.signal }));
    expect(mock.history.get).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('canceled');
  });

  it('does not let shouldRetry resend a body that cannot be replayed', async () => {
    const { instance, mock } = setup({ shouldRetry: () => true });
    mock.onPut('/x').reply(503);
    const error = await rejectionOf(instance.put('/x', Readable.from(['chunk'])));
    expect(mock.history.put).toHaveLength(1);
    expect(getRetryState(error)?.reason).toBe('body-not-replayable');
  });

  it('does not let shouldRetry go past `retries`', async () => {
    const { instance, mock } = setup({ retries: 2, shouldRetry: () => true });
    mock.onGet('/x').reply(500);
    await expect(instance.get('/x')).rejects.toThrow('500');
    expect(mock.history.get).toHaveLength(3);
  });
});

describe('logger', () => {
  function recordingLogger(): { logger: ResilienceOptions['logger']; lines: Record<string, string[]> } {
    const lines: Record<string, string[]> = { debug: [], info: [], warn: [] };
    const logger = {
      debug: (m: string) => void lines.debug!.push(m),
      info: (m: string) => void lines.info!.push(m),
      warn: (m: string) => void lines.warn!.push(m),
    };
    return { logger, lines };
  }

  it('logs each retry at info level', async () => {
    const { logger, lines } = recordingLogger();
    const { instance, mock } = setup({ logger });
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200);
    await instance.get('/x');
    expect(lines.info).toHaveLength(1);
    expect(lines.info?.[0]).toMatch(/GET \/x.*status 503/);
  });

  it('logs giving up after retries at warn level', async () => {
    const { logger, lines } = recordingLogger();
    const { instance, mock } = setup({ retries: 1, logger });
    mock.onGet('/x').reply(503);
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(lines.warn).toEqual([expect.stringContaining('exhausted')]);
  });

  it('logs a failure that is not retryable at debug level only', async () => {
    const { logger, lines } = recordingLogger();
    const { instance, mock } = setup({ logger });
    mock.onGet('/x').reply(404);
    await expect(instance.get('/x')).rejects.toThrow('404');
    expect(lines).toEqual({ debug: [expect.stringContaining('not-retryable')], info: [], warn: [] });
  });
});

describe('stats', () => {
  it('counts requests, attempts, retries, successes and give-ups by reason', async () => {
    const { instance, mock, handle } = setup({ retries: 1 });
    mock.onGet('/ok').replyOnce(503).onGet('/ok').reply(200);
    mock.onGet('/missing').reply(404);
    mock.onGet('/down').reply(503);
    await instance.get('/ok');
    await expect(instance.get('/missing')).rejects.toThrow('404');
    await expect(instance.get('/down')).rejects.toThrow('503');
    expect(handle.stats()).toEqual({
      requests: 3,
      attempts: 5,
      retries: 2,
      successes: 1,
      giveUps: {
        'not-retryable': 1,
        exhausted: 1,
        budget: 0,
        deadline: 0,
        'retry-after-too-long': 0,
        canceled: 0,
        'body-not-replayable': 0,
        'circuit-open': 0,
      },
      budgetRefusals: 0,
      circuitOpens: 0,
      circuitRejections: 0,
      pacedAttempts: 0,
      hedges: 0,
      hedgeWins: 0,
    });
  });

  it('counts a retried success once when an interceptor unwraps response.data', async () => {
    const { instance, mock, handle } = setup();
    instance.interceptors.response.use((r) => r.data);
    mock.onGet('/x').replyOnce(503).onGet('/x').reply(200, 'ok');
    await instance.get('/x');
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 2, retries: 1, successes: 1 });
  });

  it('does not count a request sent with `resilience: false`', async () => {
    const { instance, mock, handle } = setup();
    mock.onGet('/x').reply(200);
    await instance.get('/x', { resilience: false });
    expect(handle.stats()).toMatchObject({ requests: 0, attempts: 0, successes: 0 });
  });

  it('returns a snapshot the caller cannot use to change the counters', async () => {
    const { instance, mock, handle } = setup();
    mock.onGet('/x').reply(200);
    const snapshot = handle.stats();
    snapshot.giveUps.exhausted = 99;
    snapshot.requests = 99;
    await instance.get('/x');
    expect(handle.stats()).toMatchObject({ requests: 1, giveUps: { exhausted: 0 } });
  });
});

describe('an interceptor that wraps errors', () => {
  it('still has the request retried, and the caller gets the wrapped error', async () => {
    const instance = axios.create();
    const mock = new MockAdapter(instance);
    mock.onGet('/wrapped').reply(503);
    class ApiError extends Error {}
    instance.interceptors.response.use(undefined, (error: unknown) => {
      throw new ApiError('api failed', { cause: error });
    });
    attachResilience(instance, { retries: 2, baseDelayMs: 0, retryBudget: false });

    const caught = await instance.get('/wrapped').catch((e: unknown) => e);

    expect(caught).toBeInstanceOf(ApiError);
    expect(mock.history.get).toHaveLength(3);
    expect(getRetryState((caught as ApiError).cause)).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });
});
