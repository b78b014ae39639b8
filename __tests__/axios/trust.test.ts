/**
 * The plugin must never itself cause a retry storm, a duplicate order or a hang, whatever the app
 * around it does: interceptors on either side, re-sent configs, per-request adapters, streams.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import axios, { type AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import {
  attachResilience,
  createResilientAxios,
  getRetryState,
  isStreamResumeError,
  type ResilienceHandle,
  type ResilienceOptions,
} from '../../src/index.js';
import { rejectionOf } from '../helpers/outcome.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

function attached(options: ResilienceOptions = {}): { instance: AxiosInstance; handle: ResilienceHandle } {
  const instance = axios.create({ baseURL: server.url });
  const handle = attachResilience(instance, { baseDelayMs: 1, jitter: 'none', ...options });
  return { instance, handle };
}

const settledCount = (handle: ResilienceHandle): number => {
  const stats = handle.stats();
  return stats.successes + Object.values(stats.giveUps).reduce((sum, n) => sum + n, 0);
};

describe('retry storms and duplicates', () => {
  it('sends the Idempotency-Key of the first attempt on every retry, even when an interceptor stamps a fresh one', async () => {
    const { instance } = attached();
    instance.interceptors.request.use((config) => {
      config.headers.set('Idempotency-Key', randomUUID());
      return config;
    });
    server.plan('/orders', [{ status: 502 }, { status: 201 }]);

    const response = await instance.post('/orders', { item: 1 });

    expect(response.status).toBe(201);
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('does not retry a re-send made with `resilience: false` (the 401-refresh pattern), even with no budget', async () => {
    const { instance, handle } = attached({ retryBudget: false });
    instance.interceptors.response.use(undefined, async (error: AxiosError) => {
      if (error.response?.status === 401 && error.config) {
        return instance.request({ ...error.config, resilience: false });
      }
      throw error;
    });
    server.plan('/me', [{ status: 401 }, { status: 503 }]);

    const error = await rejectionOf(instance.get('/me'));

    expect(error.response?.status).toBe(503);
    expect(server.hits('/me')).toBe(2);
    expect(settledCount(handle)).toBe(handle.stats().requests);
  });

  it('ends a call handed to a `resilience: false` re-send that succeeds, so the counters still add up', async () => {
    const { instance, handle } = attached();
    instance.interceptors.response.use(undefined, async (error: AxiosError) => {
      if (error.response?.status === 401 && error.config) {
        return instance.request({ ...error.config, resilience: false });
      }
      throw error;
    });
    server.plan('/me', [{ status: 401 }, { status: 200 }]);

    const response = await instance.get('/me');

    expect(response.status).toBe(200);
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 1 });
    expect(settledCount(handle)).toBe(1);
  });

  it('counts a config the app re-sends from a response interceptor as a new call', async () => {
    const { instance, handle } = attached();
    instance.interceptors.response.use(undefined, async (error: AxiosError) => {
      if (error.response?.status === 401 && error.config) return instance.request(error.config);
      throw error;
    });
    server.plan('/me', [{ status: 401 }, { status: 200 }]);

    await instance.get('/me');

    expect(server.hits('/me')).toBe(2);
    expect(handle.stats()).toMatchObject({ requests: 2, attempts: 2, retries: 0, successes: 1 });
    expect(settledCount(handle)).toBe(2);
  });
});

describe('hangs and broken promises', () => {
  it('holds the deadline when an interceptor registered before attaching resets the timeout', async () => {
    const instance = axios.create({ baseURL: server.url });
    instance.interceptors.request.use((config) => {
      config.timeout = 5000;
      return config;
    });
    attachResilience(instance, { deadlineMs: 300, baseDelayMs: 1 });
    server.plan('/slow', [{ hang: true }]);
    const started = Date.now();

    const error = await rejectionOf(instance.get('/slow'));

    expect(Date.now() - started).toBeLessThan(1500);
    expect(getRetryState(error)?.reason).toBe('deadline');
  });

  it.each([
    ['a reset mid-body', false],
    ['a reset mid-body of a gzip response', true],
  ])('retries a GET whose body breaks after the headers: %s', async (_name, gzip) => {
    // Random bytes, so that the gzip body is as long as the plain one and a cut lands inside it.
    const payload = Buffer.from(randomBytes(32 * 1024).toString('hex'));
    const body = gzip ? gzipSync(payload) : payload;
    let calls = 0;
    server.handle('/body', (_req, res) => {
      calls += 1;
      const headers: Record<string, string | number> = { 'content-length': body.length };
      if (gzip) headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers);
      if (calls === 1) res.write(body.subarray(0, 100), () => res.destroy());
      else res.end(body);
    });
    const { instance } = attached();

    const response = await instance.get<string>('/body');

    expect(response.data).toBe(payload.toString());
    expect(server.hits('/body')).toBe(2);
  });

  it('retries a GET whose body stalls until the timeout', async () => {
    let calls = 0;
    server.handle('/stall', (_req, res) => {
      calls += 1;
      res.writeHead(200, { 'content-length': 10 });
      if (calls === 1) res.write('abc');
      else res.end('0123456789');
    });
    const { instance } = attached();

    const response = await instance.get<string>('/stall', { timeout: 200 });

    expect(response.data).toBe('0123456789');
    expect(server.hits('/stall')).toBe(2);
  });

  it("retries a GET whose body breaks with the fetch adapter's 'terminated'", async () => {
    let calls = 0;
    server.handle('/body', (_req, res) => {
      calls += 1;
      res.writeHead(200, { 'content-length': 1000 });
      if (calls === 1) res.write('x'.repeat(10), () => res.destroy());
      else res.end('y'.repeat(1000));
    });
    const { instance } = attached();

    const response = await instance.get<string>('/body', { adapter: 'fetch' });

    expect(response.data).toBe('y'.repeat(1000));
    expect(server.hits('/body')).toBe(2);
  });

  it('does not retry a POST whose body broke after the headers (it was processed)', async () => {
    server.handle('/orders', (_req, res) => {
      res.writeHead(201, { 'content-length': 100 });
      res.write('x', () => res.destroy());
    });
    const { instance } = attached();

    await rejectionOf(instance.post('/orders', {}));

    expect(server.hits('/orders')).toBe(1);
  });

  it('retries a POST refused with the fetch adapter (the code sits on error.cause)', async () => {
    const port = await closedPort();
    const instance = axios.create({ baseURL: `http://127.0.0.1:${port}`, adapter: 'fetch' });
    const retried: string[] = [];
    attachResilience(instance, {
      retries: 2,
      baseDelayMs: 1,
      onRetry: (ctx) => void retried.push(ctx.reason),
    });

    await rejectionOf(instance.post('/orders', {}));

    expect(retried).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('keeps working after interceptors.request.clear()', async () => {
    const { instance, handle } = attached();
    instance.interceptors.request.clear();
    server.plan('/x', [{ status: 503 }, { status: 200 }]);

    await instance.get('/x', { adapter: 'http' });

    expect(server.hits('/x')).toBe(2);
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 2, retries: 1, successes: 1 });
  });

  it('retries through a per-request adapter as through the default one', async () => {
    const { instance } = attached();
    server.plan('/x', [{ status: 503 }, { status: 200 }]);

    await instance.get('/x', { adapter: 'fetch' });

    expect(server.hits('/x')).toBe(2);
  });
});

describe('streams behind an unwrapping interceptor', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'axios-resilience-trust-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function unwrappingClient(): ReturnType<typeof createResilientAxios> {
    const api = createResilientAxios({ baseDelayMs: 1, axios: { baseURL: server.url } });
    api.interceptors.response.use((response: AxiosResponse) => response.data);
    return api;
  }

  it('downloads a file whole', async () => {
    const api = unwrappingClient();
    server.plan('/file', [{ body: 'hello file' }]);

    const result = await api.download('/file', join(dir, 'out.txt'));

    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('hello file');
    expect(result.bytes).toBe(10);
    await api.close();
  });

  it('still errors a stream whose body ends short of its Content-Length', async () => {
    const api = unwrappingClient();
    server.plan('/short', [{ body: 'x'.repeat(100), cutAfterBytes: 10 }]);

    const body = (await api.stream('GET', '/short', {
      resilience: { resume: false },
    })) as unknown as Readable;
    const failure = await new Promise<unknown>((resolve) => {
      body.on('error', resolve).on('end', () => resolve(undefined));
      body.resume();
    });

    expect(isStreamResumeError(failure)).toBe(true);
    await api.close();
  });
});

describe('a resumed stream whose range request is never answered', () => {
  it('errors after stallTimeoutMs instead of staying silent forever', async () => {
    let calls = 0;
    server.handle('/file.bin', (_req, res) => {
      calls += 1;
      if (calls > 1) return; // the range request: accepted, never answered
      res.writeHead(200, { 'content-length': 1000, etag: '"v1"', 'accept-ranges': 'bytes' });
      res.write('x'.repeat(100), () => res.destroy());
    });
    const api = createResilientAxios({
      retries: 1,
      baseDelayMs: 1,
      resume: true,
      stallTimeoutMs: 150,
      axios: { baseURL: server.url },
    });
    const started = Date.now();

    const response = await api.stream('GET', '/file.bin');
    const failure = await new Promise<unknown>((resolve) => {
      response.data.on('error', resolve).on('end', () => resolve(undefined));
      response.data.resume();
    });

    expect(isStreamResumeError(failure)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(2);
    await api.close();
  });
});

describe('honest counts', () => {
  it('leaves a call whose own request interceptor threw out of the counters and the budget', async () => {
    const instance = axios.create({ baseURL: server.url });
    instance.interceptors.request.use(() => {
      throw new Error('no token');
    });
    const handle = attachResilience(instance);

    await rejectionOf(instance.get('/x'));

    expect(handle.stats()).toMatchObject({ requests: 0, attempts: 0 });
    expect(server.hits()).toBe(0);
  });

  it('reports the wait actually taken when a wait is aborted, and counts no retry', async () => {
    const { instance, handle } = attached({ baseDelayMs: 1000 });
    server.plan('/x', [{ status: 503 }]);
    const controller = new AbortController();
    const call = rejectionOf(instance.get('/x', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();

    const error = await call;

    const waited = getRetryState(error)?.delaysMs ?? [];
    expect(waited).toHaveLength(1);
    expect(waited[0]).toBeLessThan(500);
    expect(handle.stats()).toMatchObject({ requests: 1, attempts: 1, retries: 0 });
    expect(handle.stats().giveUps.canceled).toBe(1);
  });

  it('does not send a pending retry once detached during its wait', async () => {
    const { instance, handle } = attached({ baseDelayMs: 50 });
    server.plan('/x', [{ status: 503 }, { status: 200 }]);
    const call = rejectionOf(instance.get('/x'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    handle.detach();

    const error = await call;

    expect(error.response?.status).toBe(503);
    expect(server.hits('/x')).toBe(1);
    expect(getRetryState(error)).toMatchObject({ attempts: 1 });
  });
});
