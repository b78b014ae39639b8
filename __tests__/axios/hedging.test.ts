/** Hedged requests, on the real test server: copies of a slow request race it; the first good answer wins. */
import { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import {
  attachResilience,
  createRetryBudget,
  getRetryState,
  type ResilienceHandle,
  type ResilienceOptions,
} from '../../src/index.js';
import { rejectionOf } from '../helpers/outcome.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 2000) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function attached(options: ResilienceOptions = {}): { instance: AxiosInstance; handle: ResilienceHandle } {
  const instance = axios.create({ baseURL: server.url });
  const handle = attachResilience(instance, {
    baseDelayMs: 1,
    jitter: 'none',
    hedge: { delayMs: 25 },
    ...options,
  });
  return { instance, handle };
}

/**
 * A path whose requests are answered by `answers[i]` (the i-th request to it): a status after a
 * delay, or `'hang'` (never answered). Records which requests' sockets closed unanswered.
 */
function scripted(
  path: string,
  answers: Array<'hang' | { status: number; afterMs?: number }>,
): {
  closedUnanswered: number[];
} {
  let seen = 0;
  const closedUnanswered: number[] = [];
  server.handle(path, (_req, res) => {
    const index = seen++;
    res.on('close', () => {
      if (!res.writableEnded) closedUnanswered.push(index);
    });
    const answer = answers[Math.min(index, answers.length - 1)]!;
    if (answer === 'hang') return;
    const reply = (): void => {
      if (!res.destroyed) res.writeHead(answer.status).end(`answer ${index}`);
    };
    if (answer.afterMs) setTimeout(reply, answer.afterMs);
    else reply();
  });
  return { closedUnanswered };
}

describe('a hedge', () => {
  it('sends a copy of a slow request; the fast copy wins and the slow one is aborted, its socket closed', async () => {
    const { instance, handle } = attached();
    const { closedUnanswered } = scripted('/tail', ['hang', { status: 200 }]);

    const response = await instance.get('/tail');

    expect(response.data).toBe('answer 1');
    expect(getRetryState(response)).toMatchObject({ attempts: 2, hedges: 1, delaysMs: [] });
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 2, retries: 0, hedges: 1, hedgeWins: 1 });
    await until(() => closedUnanswered.includes(0), 'the slow copy to be closed on the server');
    expect(server.openSockets()).toBeLessThanOrEqual(1);
  });

  it('is processed once by each response interceptor', async () => {
    const { instance } = attached();
    scripted('/tail', ['hang', { status: 200 }]);
    let seen = 0;
    instance.interceptors.response.use((response) => {
      seen += 1;
      return response;
    });

    await instance.get('/tail');

    expect(seen).toBe(1);
  });

  it('is not sent when the answer comes before the delay', async () => {
    const { instance, handle } = attached({ hedge: { delayMs: 200 } });

    await instance.get('/fast');

    expect(server.hits('/fast')).toBe(1);
    expect(handle.stats()).toMatchObject({ hedges: 0, hedgeWins: 0 });
  });

  it('sends up to maxHedges copies, one per delay, while none has answered', async () => {
    const { instance, handle } = attached({ hedge: { delayMs: 15, maxHedges: 2 } });
    scripted('/tail', ['hang', 'hang', { status: 200 }]);

    const response = await instance.get('/tail');

    expect(response.data).toBe('answer 2');
    expect(server.hits('/tail')).toBe(3);
    expect(handle.stats()).toMatchObject({ hedges: 2, hedgeWins: 1 });
  });

  it('lets the first answer that is not a retryable failure win, a 404 included', async () => {
    const { instance, handle } = attached();
    const { closedUnanswered } = scripted('/gone', ['hang', { status: 404 }]);

    const error = await rejectionOf(instance.get('/gone'));

    expect(error.response?.status).toBe(404);
    expect(getRetryState(error)).toMatchObject({ attempts: 2, hedges: 1, reason: 'not-retryable' });
    expect(handle.stats().hedgeWins).toBe(1);
    await until(() => closedUnanswered.includes(0), 'the slow copy to be closed');
  });

  it('waits for the other copies when one fails retryably, then the retry rules go on', async () => {
    const { instance, handle } = attached({ retries: 2 });
    // The first copy answers 503 late (300 ms), the copy (at 25 ms) 503 at once; the retry 200.
    scripted('/flaky', [{ status: 503, afterMs: 300 }, { status: 503 }, { status: 200 }]);

    const response = await instance.get('/flaky');

    expect(response.data).toBe('answer 2');
    expect(getRetryState(response)).toMatchObject({ attempts: 3, hedges: 1 });
    expect(handle.stats()).toMatchObject({ attempts: 3, retries: 1, hedges: 1, hedgeWins: 0 });
  });

  it('is aborted, every copy of it, by the caller’s AbortSignal', async () => {
    const { instance } = attached();
    const { closedUnanswered } = scripted('/tail', ['hang']);
    const controller = new AbortController();

    const pending = rejectionOf(instance.get('/tail', { signal: controller.signal }));
    await until(() => server.hits('/tail') === 2, 'the copy to be sent');
    controller.abort();
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    expect(getRetryState(error)).toMatchObject({ attempts: 2, hedges: 1, reason: 'canceled' });
    await until(() => closedUnanswered.length === 2, 'both copies to be closed');
  });

  it('is aborted, every copy of it, by the caller’s CancelToken', async () => {
    const { instance } = attached();
    const { closedUnanswered } = scripted('/tail', ['hang']);
    const source = axios.CancelToken.source();

    const pending = rejectionOf(instance.get('/tail', { cancelToken: source.token }));
    await until(() => server.hits('/tail') === 2, 'the copy to be sent');
    source.cancel('enough');
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    await until(() => closedUnanswered.length === 2, 'both copies to be closed');
  });

  it('works the same with the fetch adapter', async () => {
    const { instance, handle } = attached();
    const { closedUnanswered } = scripted('/tail', ['hang', { status: 200 }]);

    const response = await instance.get('/tail', { adapter: 'fetch' });

    expect(response.data).toBe('answer 1');
    expect(handle.stats()).toMatchObject({ hedges: 1, hedgeWins: 1 });
    await until(() => closedUnanswered.includes(0), 'the slow copy to be closed');
  });
});

describe('a hedge with an adapter of your own', () => {
  it('hands it a real AbortSignal, which aborts the losing copy', async () => {
    const { closedUnanswered } = scripted('/tail', ['hang', { status: 200 }]);
    const fetchAdapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      // A fetch() of the platform: it refuses any signal that is not a real AbortSignal.
      const answer = await fetch(`${server.url}${config.url ?? ''}`, {
        signal: config.signal as AbortSignal,
      });
      return {
        data: await answer.text(),
        status: answer.status,
        statusText: '',
        headers: {},
        config,
        request: {},
      };
    };
    const instance = axios.create({ baseURL: server.url, adapter: fetchAdapter });
    const handle = attachResilience(instance, { hedge: { delayMs: 25 } });

    const response = await instance.get('/tail');

    expect(response.data).toBe('answer 1');
    expect(response.config.signal).toBeUndefined();
    expect(handle.stats()).toMatchObject({ hedges: 1, hedgeWins: 1 });
    await until(() => closedUnanswered.includes(0), 'the slow copy to be closed');
  });
});

describe('a hedge with an adapter that never reads its signal', () => {
  it('still wins, and the config keeps the caller’s signal', async () => {
    const calls: Array<(response: AxiosResponse) => void> = [];
    // Every odd call never answers, every even one at once: each call needs its copy.
    const memory = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> =>
      new Promise((resolve) => {
        const answer = (): void =>
          resolve({ data: calls.length, status: 200, statusText: '', headers: {}, config, request: {} });
        calls.push(answer);
        if (calls.length % 2 === 0) answer();
      });
    const instance = axios.create({ adapter: memory });
    const handle = attachResilience(instance, { hedge: { delayMs: 10 } });
    const controller = new AbortController();

    const first = await instance.get('/a', { signal: controller.signal });
    const second = await instance.get('/b', { signal: controller.signal });

    expect([first.data, second.data]).toEqual([2, 4]);
    expect(handle.stats()).toMatchObject({ hedges: 2, hedgeWins: 2 });
    expect(second.config.signal).toBe(controller.signal);
  });
});

describe('a hedge is never sent', () => {
  it('for a method outside hedge.methods (POST by default)', async () => {
    const { instance, handle } = attached();
    scripted('/order', [{ status: 201, afterMs: 80 }]);

    await instance.post('/order', { item: 1 });

    expect(server.hits('/order')).toBe(1);
    expect(handle.stats().hedges).toBe(0);
  });

  it('for a body that cannot be replayed', async () => {
    const { instance, handle } = attached({ hedge: { delayMs: 10, methods: ['PUT'] } });
    scripted('/upload', [{ status: 200, afterMs: 80 }]);

    await instance.put('/upload', Readable.from([Buffer.from('once')]));

    expect(server.hits('/upload')).toBe(1);
    expect(handle.stats().hedges).toBe(0);
  });

  it('for a streamed response', async () => {
    const { instance, handle } = attached({ hedge: { delayMs: 10 } });
    scripted('/file', [{ status: 200, afterMs: 80 }]);

    const response = await instance.get('/file', { responseType: 'stream' });
    (response.data as Readable).resume();

    expect(server.hits('/file')).toBe(1);
    expect(handle.stats().hedges).toBe(0);
  });

  it('when the retry budget refuses it (and that is not counted as a refusal)', async () => {
    const retryBudget = createRetryBudget({ ratio: 0, minPerSecond: 0 });
    const { instance, handle } = attached({ retryBudget });
    scripted('/tail', [{ status: 200, afterMs: 80 }]);

    await instance.get('/tail');

    expect(server.hits('/tail')).toBe(1);
    expect(handle.stats()).toMatchObject({ hedges: 0, budgetRefusals: 0 });
  });

  it('to a circuit that is not closed: a half-open probe is not copied', async () => {
    const { instance, handle } = attached({
      retries: 0,
      circuitBreaker: { minimumThroughput: 2, failureRatio: 0.5, breakDurationMs: 30 },
    });
    server.plan('/down', [{ status: 503 }]);
    await rejectionOf(instance.get('/down'));
    await rejectionOf(instance.get('/down'));
    await sleep(40);
    scripted('/probe', [{ status: 200, afterMs: 80 }]);

    await instance.get('/probe');

    expect(server.hits('/probe')).toBe(1);
    expect(handle.stats().hedges).toBe(0);
  });

  it('when the request says `hedge: false`', async () => {
    const { instance, handle } = attached();
    scripted('/tail', [{ status: 200, afterMs: 80 }]);

    await instance.get('/tail', { resilience: { hedge: false } });

    expect(server.hits('/tail')).toBe(1);
    expect(handle.stats().hedges).toBe(0);
  });
});

describe("hedge.delayMs: 'auto'", () => {
  it('does not hedge before the scope has 20 answered attempts, then hedges at their p95', async () => {
    const { instance, handle } = attached({ hedge: { delayMs: 'auto' } });
    scripted('/slow', [{ status: 200, afterMs: 80 }]);
    await instance.get('/slow');
    expect(handle.stats().hedges).toBe(0);

    // Nineteen answers: still no hedge (the slow one makes twenty samples with them).
    for (let i = 0; i < 19; i++) await instance.get('/fast');
    expect(handle.stats().hedges).toBe(0);
    scripted('/tail', ['hang', { status: 200 }]);
    const started = Date.now();
    const response = await instance.get('/tail');

    expect(response.data).toBe('answer 1');
    expect(server.hits('/tail')).toBe(2);
    expect(handle.stats().hedges).toBe(1);
    // p95 of fast local answers is a few ms, far below the 80 ms the slow answer took.
    expect(Date.now() - started).toBeLessThan(500);
  });
});
