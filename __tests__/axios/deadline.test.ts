import axios, {
  AxiosError,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import fc from 'fast-check';
import { attachResilience, getRetryState, type ResilienceOptions } from '../../src/index.js';
import { startTestServer } from '../helpers/server.js';

/** One attempt as the transport saw it: when it started (ms after the call) and its timeout. */
interface Attempt {
  at: number;
  timeout: number;
}

interface Scripted {
  attempts: Attempt[];
  /** Settles after the timers it needs, like a real transport; honours `config.timeout`. */
  adapter: AxiosAdapter;
}

/**
 * A transport that answers 503 (with `headers`) after `latencyMs`, or fails with axios's timeout
 * error when `config.timeout` runs out first. Times are read from the (fake) clock.
 */
function scriptedTransport(latencyMs: number, headers: Record<string, string> = {}): Scripted {
  const attempts: Attempt[] = [];
  const started = performance.now();
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((_resolve, reject) => {
      const timeout = config.timeout ?? 0;
      attempts.push({ at: performance.now() - started, timeout });
      if (timeout > 0 && latencyMs >= timeout) {
        setTimeout(
          () => reject(new AxiosError(`timeout of ${timeout}ms exceeded`, 'ECONNABORTED', config)),
          timeout,
        );
        return;
      }
      const response: AxiosResponse = { status: 503, statusText: '', headers, config, data: '' };
      const fail = (): void =>
        reject(
          new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, {}, response),
        );
      // Node runs setTimeout(fn, 0) after 1 ms; an instant answer must not cost a tick.
      if (latencyMs === 0) fail();
      else setTimeout(fail, latencyMs);
    });
  return { attempts, adapter };
}

/** Starts a GET through a resilient instance; `settled` is filled in when it ends. */
function call(adapter: AxiosAdapter, options: ResilienceOptions, timeout = 0) {
  const instance = axios.create({ adapter, timeout });
  attachResilience(instance, options);
  const outcome: { settled: boolean; error?: unknown } = { settled: false };
  const done = instance.get('/slow').then(
    () => {
      outcome.settled = true;
    },
    (error: unknown) => {
      outcome.settled = true;
      outcome.error = error;
    },
  );
  return { outcome, done };
}

describe('deadlineMs', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('gives up at once, with reason deadline, when the next wait would end past it', async () => {
    const transport = scriptedTransport(0);
    const { outcome } = call(transport.adapter, { deadlineMs: 1500, baseDelayMs: 1000, jitter: 'none' });

    await jest.advanceTimersByTimeAsync(1000);

    expect(outcome.settled).toBe(true);
    expect(transport.attempts.map((a) => a.at)).toEqual([0, 1000]);
    expect(getRetryState(outcome.error)).toMatchObject({ delaysMs: [1000], reason: 'deadline' });
  });

  it("shrinks each attempt's timeout to the time left", async () => {
    const transport = scriptedTransport(0);
    const { done } = call(transport.adapter, { deadlineMs: 5000, baseDelayMs: 1000, jitter: 'none' });

    await jest.advanceTimersByTimeAsync(5000);
    await done;

    expect(transport.attempts).toEqual([
      { at: 0, timeout: 5000 },
      { at: 1000, timeout: 4000 },
      { at: 3000, timeout: 2000 },
    ]);
  });

  it("keeps the caller's own timeout while it is shorter than the time left", async () => {
    const transport = scriptedTransport(0);
    const options = { deadlineMs: 5000, baseDelayMs: 1000, jitter: 'none' } as const;
    const { done } = call(transport.adapter, options, 3000);

    await jest.advanceTimersByTimeAsync(5000);
    await done;

    expect(transport.attempts.map((a) => a.timeout)).toEqual([3000, 3000, 2000]);
  });

  it('cuts an attempt that hangs at the deadline and reports reason deadline', async () => {
    const transport = scriptedTransport(Number.MAX_SAFE_INTEGER);
    const { outcome } = call(transport.adapter, { deadlineMs: 2000, baseDelayMs: 10 });

    await jest.advanceTimersByTimeAsync(1999);
    expect(outcome.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    expect(outcome.settled).toBe(true);
    expect((outcome.error as AxiosError).code).toBe('ECONNABORTED');
    expect(getRetryState(outcome.error)).toMatchObject({ attempts: 1, reason: 'deadline' });
  });

  it('does not wait for a Retry-After that ends past the deadline', async () => {
    const transport = scriptedTransport(0, { 'retry-after': '5' });
    const { outcome } = call(transport.adapter, { deadlineMs: 3000 });

    await jest.advanceTimersByTimeAsync(0);

    expect(outcome.settled).toBe(true);
    expect(getRetryState(outcome.error)).toMatchObject({ attempts: 1, delaysMs: [], reason: 'deadline' });
  });

  it('starts no attempt past the deadline when a slow onRetry hook delays the wait', async () => {
    const transport = scriptedTransport(0);
    const slowHook = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2000));
    const options = { deadlineMs: 1500, baseDelayMs: 100, jitter: 'none', onRetry: slowHook } as const;
    const { outcome } = call(transport.adapter, options);

    await jest.advanceTimersByTimeAsync(2100);

    expect(outcome.settled).toBe(true);
    expect(transport.attempts).toHaveLength(1);
    expect(getRetryState(outcome.error)).toMatchObject({ reason: 'deadline' });
  });

  it('leaves timeouts and retries alone when there is no deadline', async () => {
    const transport = scriptedTransport(0);
    const { outcome, done } = call(transport.adapter, { baseDelayMs: 1000, jitter: 'none' }, 250);

    await jest.advanceTimersByTimeAsync(7000);
    await done;

    expect(transport.attempts).toEqual([
      { at: 0, timeout: 250 },
      { at: 1000, timeout: 250 },
      { at: 3000, timeout: 250 },
      { at: 7000, timeout: 250 },
    ]);
    expect(getRetryState(outcome.error)).toMatchObject({ attempts: 4, reason: 'exhausted' });
  });

  it('applies a per-request deadline from config.resilience', async () => {
    const transport = scriptedTransport(0);
    const instance = axios.create({ adapter: transport.adapter });
    attachResilience(instance, { baseDelayMs: 1000, jitter: 'none' });
    const failed = instance.get('/slow', { resilience: { deadlineMs: 500 } }).catch((e: unknown) => e);

    await jest.advanceTimersByTimeAsync(0);

    expect(getRetryState(await failed)).toMatchObject({ attempts: 1, reason: 'deadline' });
  });

  it('never starts an attempt at or after the deadline, and settles by it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          deadlineMs: fc.integer({ min: 1, max: 5000 }),
          latencyMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
          callerTimeout: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
          retries: fc.integer({ min: 0, max: 8 }),
          baseDelayMs: fc.integer({ min: 0, max: 2000 }),
          jitter: fc.constantFrom(0.5, 'full', 'equal', 'decorrelated', 'none') as fc.Arbitrary<
            ResilienceOptions['jitter']
          >,
        }),
        async ({ deadlineMs, latencyMs, callerTimeout, retries, baseDelayMs, jitter }) => {
          const transport = scriptedTransport(latencyMs);
          const options = { deadlineMs, retries, baseDelayMs, jitter, retryBudget: false } as const;
          const { outcome } = call(transport.adapter, options, callerTimeout);

          await jest.advanceTimersByTimeAsync(deadlineMs + 1);

          expect(outcome.settled).toBe(true);
          for (const attempt of transport.attempts) {
            expect(attempt.at).toBeLessThan(deadlineMs);
            // The timeout is the time left, rounded up to whole milliseconds.
            expect(attempt.timeout).toBeLessThanOrEqual(Math.ceil(deadlineMs - attempt.at));
          }
          const state = getRetryState(outcome.error);
          expect(state?.elapsedMs).toBeLessThanOrEqual(deadlineMs + 1);
          expect(state?.attempts).toBe(transport.attempts.length);
          expect(state?.reason).toBe(state?.attempts === retries + 1 ? 'exhausted' : 'deadline');
          expect(jest.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('deadlineMs against a real server', () => {
  it('ends a request to a server that never answers at the deadline', async () => {
    const server = await startTestServer();
    server.plan('/hang', [{ hang: true }]);
    const instance = axios.create({ baseURL: server.url });
    attachResilience(instance, { deadlineMs: 200, baseDelayMs: 1 });

    const error = await instance.get('/hang').catch((e: unknown) => e);
    await server.close();

    const state = getRetryState(error);
    expect(state).toMatchObject({ attempts: 1, reason: 'deadline' });
    expect(state?.elapsedMs).toBeGreaterThanOrEqual(195);
    expect(state?.elapsedMs).toBeLessThan(1000);
    expect(server.hits('/hang')).toBe(1);
  });
});
