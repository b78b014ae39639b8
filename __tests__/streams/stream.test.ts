import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import axios, { type AxiosProgressEvent } from 'axios';
import {
  createResilientAxios,
  createRetryBudget,
  isStreamResumeError,
  type ResilientAxiosInstance,
  type ResilientAxiosOptions,
} from '../../src/index.js';
import { serveRangeFile, sha256, type RangeFileOptions } from '../helpers/range-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;

let server: TestServer;
let api: ResilientAxiosInstance;
let dir: string;

beforeEach(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'axios-resilience-'));
});

afterEach(async () => {
  await api?.close();
  await waitFor(() => server.openSockets() === 0);
  expect(server.openSockets()).toBe(0);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(options: ResilientAxiosOptions = {}): ResilientAxiosInstance {
  api = createResilientAxios({
    baseDelayMs: 1,
    jitter: 'none',
    retries: 10,
    resume: true,
    ...options,
    axios: { baseURL: server.url },
  });
  return api;
}

function file(options: Partial<RangeFileOptions> = {}): ReturnType<typeof serveRangeFile> {
  return serveRangeFile(server, '/file.bin', { size: 4 * MiB, ...options });
}

/** Reads a stream to the end; rejects with the stream's error. */
async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function streamError(stream: Readable): Promise<unknown> {
  return collect(stream).then(
    () => {
      throw new Error('the stream ended instead of failing');
    },
    (error: unknown) => error,
  );
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Sorted cut offsets from a seeded generator, spread over the body. */
function cutPoints(seed: number, count: number, size: number): number[] {
  let x = seed;
  const next = (): number => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const points = new Set<number>();
  while (points.size < count) points.add(1 + Math.floor(next() * (size - 2)));
  return [...points].sort((a, b) => a - b);
}

describe('resumable streams', () => {
  it.each([1, 2, 3, 4])(
    'a body cut at three random points (seed %i) arrives byte-identical',
    async (seed) => {
      const cuts = cutPoints(seed, 3, 4 * MiB);
      const served = file({ seed, replies: cuts.map((cutAt) => ({ cutAt })) });
      const res = await client().stream('GET', '/file.bin');
      const body = await collect(res.data);
      expect(body.length).toBe(4 * MiB);
      expect(sha256(body)).toBe(served.sha256);
      expect(served.seen).toHaveLength(4);
    },
  );

  it('counts each resume in stats() as a retry of one successful request', async () => {
    file({ replies: [{ cutAt: 1000 }, { cutAt: 2 * MiB }] });
    const res = await client().stream('GET', '/file.bin');
    await collect(res.data);
    expect(api.resilience.stats()).toMatchObject({ requests: 1, attempts: 3, retries: 2, successes: 1 });
  });

  it('asks for the missing bytes with Range and the strong ETag in If-Range', async () => {
    const served = file({ replies: [{ cutAt: 1000 }] });
    await collect((await client().stream('GET', '/file.bin')).data);
    expect(served.seen).toEqual([
      [undefined, undefined],
      ['bytes=1000-', '"v1"'],
    ]);
  });

  it('uses Last-Modified in If-Range when there is no ETag', async () => {
    const served = file({ etag: false, replies: [{ cutAt: 1000 }] });
    const body = await collect((await client().stream('GET', '/file.bin')).data);
    expect(sha256(body)).toBe(served.sha256);
    expect(served.seen[1]).toEqual(['bytes=1000-', 'Wed, 01 Jan 2020 00:00:00 GMT']);
  });

  it('resumes a body that stalls longer than stallTimeoutMs', async () => {
    const served = file({ size: MiB, replies: [{ stallAt: 300_000 }] });
    const res = await client({ stallTimeoutMs: 200 }).stream('GET', '/file.bin');
    expect(sha256(await collect(res.data))).toBe(served.sha256);
    expect(served.seen[1]?.[0]).toBe('bytes=300000-');
  });

  it('resumes again when a resumed part ends cleanly before the end its Content-Range promised', async () => {
    const served = file({ replies: [{ cutAt: 1000 }, { endEarlyAt: 3000 }] });
    const body = await collect((await client().stream('GET', '/file.bin')).data);
    expect(sha256(body)).toBe(served.sha256);
    expect(served.seen.map(([range]) => range)).toEqual([undefined, 'bytes=1000-', 'bytes=3000-']);
  });

  it('reports download progress monotonically across resumes, with the first total', async () => {
    file({ replies: [{ cutAt: MiB }, { cutAt: 3 * MiB }] });
    const events: AxiosProgressEvent[] = [];
    const res = await client().stream('GET', '/file.bin', { onDownloadProgress: (e) => events.push(e) });
    await collect(res.data);
    const loaded = events.map((e) => e.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(4 * MiB);
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([4 * MiB]));
  });

  it('runs request interceptors again on every range request', async () => {
    const served = file({ replies: [{ cutAt: 5000 }] });
    const api = client();
    let calls = 0;
    api.interceptors.request.use((config) => {
      config.headers.set('Authorization', `Bearer ${++calls}`);
      return config;
    });
    await collect((await api.stream('GET', '/file.bin')).data);
    expect(served.seen).toHaveLength(2);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer 1', 'Bearer 2']);
  });

  it('retries a range request that meets a 503, then resumes', async () => {
    const served = file({ replies: [{ cutAt: 5000 }, { status: 503 }] });
    const body = await collect((await client().stream('GET', '/file.bin')).data);
    expect(sha256(body)).toBe(served.sha256);
    expect(served.seen.map(([range]) => range)).toEqual([undefined, 'bytes=5000-', 'bytes=5000-']);
  });

  it('keeps backpressure: an unread stream does not buffer the whole body', async () => {
    file({ replies: [{ cutAt: 100_000 }] });
    const res = await client().stream('GET', '/file.bin');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(res.data.readableLength).toBeLessThan(256 * 1024);
    res.data.destroy();
  });
});

describe('refusing to glue bodies', () => {
  async function refusal(options: Partial<RangeFileOptions>): Promise<unknown> {
    file(options);
    return streamError((await client().stream('GET', '/file.bin')).data);
  }

  it('fails with StreamResumeError when the server answers a range request with 200', async () => {
    const error = await refusal({ replies: [{ cutAt: 5000 }, { ignoreRange: true }] });
    expect(isStreamResumeError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_STREAM_RESUME', bytesReceived: 5000 });
    expect((error as Error).message).toMatch(/200/);
  });

  it('fails with StreamResumeError when the file changed (If-Range no longer matches)', async () => {
    const error = await refusal({ replies: [{ cutAt: 5000 }, { newEtag: '"v2"' }] });
    expect(isStreamResumeError(error)).toBe(true);
  });

  it('fails with StreamResumeError when a 206 carries a different ETag', async () => {
    const error = await refusal({ replies: [{ cutAt: 5000 }, { newEtag: '"v2"', ignoreIfRange: true }] });
    expect((error as Error).message).toMatch(/ETag changed/);
  });

  it('fails with StreamResumeError when Content-Range does not start at the byte received', async () => {
    const error = await refusal({ replies: [{ cutAt: 5000 }, { shiftContentRange: -10 }] });
    expect((error as Error).message).toMatch(/starts at byte 4990, not 5000/);
  });

  it.each([
    ['there is no Accept-Ranges', { acceptRanges: false }],
    ['there is only a weak ETag and no Last-Modified', { etag: 'W/"v1"', lastModified: false as const }],
  ])('does not try to resume when %s', async (_, options) => {
    const error = await refusal({ ...options, replies: [{ cutAt: 5000 }] });
    expect(error).toMatchObject({ code: 'ERR_STREAM_RESUME', bytesReceived: 5000 });
    expect(server.hits('/file.bin')).toBe(1);
  });

  it('errors a cut body when resuming is off, without a second request', async () => {
    file({ replies: [{ cutAt: 5000 }] });
    const res = await client({ resume: false }).stream('GET', '/file.bin');
    const error = await streamError(res.data);
    expect(error).toMatchObject({ code: 'ERR_STREAM_RESUME', bytesReceived: 5000 });
    expect(server.hits('/file.bin')).toBe(1);
  });

  it('errors a body shorter than its Content-Length, even without resilience', async () => {
    server.plan('/short', [{ body: 'x'.repeat(1000), cutAfterBytes: 400 }]);
    const res = await client({ resume: false }).stream('GET', '/short', { resilience: false });
    expect(await streamError(res.data)).toMatchObject({ code: 'ERR_STREAM_RESUME', bytesReceived: 400 });
  });

  it('errors a stalled body when resuming is off', async () => {
    file({ replies: [{ stallAt: 5000 }] });
    const res = await client({ resume: false, stallTimeoutMs: 200 }).stream('GET', '/file.bin');
    const error = await streamError(res.data);
    expect(error).toMatchObject({ code: 'ERR_STREAM_RESUME', cause: { code: 'ESTALLED' } });
  });

  it('gives up after `retries` resumes', async () => {
    file({ replies: [{ cutAt: 1000 }, { cutAt: 2000 }, { cutAt: 3000 }] });
    const res = await client({ retries: 2 }).stream('GET', '/file.bin');
    expect(await streamError(res.data)).toMatchObject({ code: 'ERR_STREAM_RESUME', bytesReceived: 3000 });
    expect(server.hits('/file.bin')).toBe(3);
  });

  it('does not resume when the retry budget is spent', async () => {
    file({ replies: [{ cutAt: 1000 }] });
    const retryBudget = createRetryBudget({ ratio: 0, minPerSecond: 0 });
    const res = await client({ retryBudget }).stream('GET', '/file.bin');
    expect((await streamError(res.data)) as Error).toMatchObject({ message: /budget/ });
    expect(server.hits('/file.bin')).toBe(1);
  });

  it('does not resume when the wait would pass the deadline', async () => {
    file({ replies: [{ cutAt: 1000 }] });
    const res = await client({ deadlineMs: 5000, baseDelayMs: 10_000 }).stream('GET', '/file.bin');
    expect((await streamError(res.data)) as Error).toMatchObject({ message: /deadline/ });
    expect(server.hits('/file.bin')).toBe(1);
  });

  it('stops at once with CanceledError when aborted during the wait before a resume', async () => {
    file({ replies: [{ cutAt: 1000 }] });
    const controller = new AbortController();
    let waiting!: () => void;
    const resumeScheduled = new Promise<void>((resolve) => (waiting = resolve));
    const logger = { debug: () => undefined, warn: () => undefined, info: () => waiting() };
    const res = await client({ baseDelayMs: 60_000, logger }).stream('GET', '/file.bin', {
      signal: controller.signal,
    });
    const failed = streamError(res.data);
    await resumeScheduled;
    const started = Date.now();
    controller.abort();
    const error = await failed;
    expect(axios.isCancel(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.hits('/file.bin')).toBe(1);
  });
  it('stops at once with CanceledError when a CancelToken fires during the wait before a resume', async () => {
    file({ replies: [{ cutAt: 1000 }] });
    const source = axios.CancelToken.source();
    let waiting!: () => void;
    const resumeScheduled = new Promise<void>((resolve) => (waiting = resolve));
    const logger = { debug: () => undefined, warn: () => undefined, info: () => waiting() };
    const res = await client({ baseDelayMs: 60_000, logger }).stream('GET', '/file.bin', {
      cancelToken: source.token,
    });
    const failed = streamError(res.data);
    await resumeScheduled;
    const started = Date.now();
    source.cancel('user left');
    const error = await failed;
    expect(axios.isCancel(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.hits('/file.bin')).toBe(1);
  });

  it('drops the pending resume when the caller destroys the stream during the wait', async () => {
    file({ replies: [{ cutAt: 1000 }] });
    let waiting!: () => void;
    const resumeScheduled = new Promise<void>((resolve) => (waiting = resolve));
    const logger = { debug: () => undefined, warn: () => undefined, info: () => waiting() };
    const res = await client({ baseDelayMs: 50, logger }).stream('GET', '/file.bin');
    res.data.resume();
    await resumeScheduled;
    res.data.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.hits('/file.bin')).toBe(1);
  });
});

describe('download()', () => {
  it('writes the whole file across cuts and reports the resumes', async () => {
    const served = file({ replies: [{ cutAt: MiB }, { cutAt: 2 * MiB }] });
    const path = join(dir, 'out.bin');
    const result = await client({ resume: false }).download('/file.bin', path);
    expect(result).toEqual({ path, bytes: 4 * MiB, resumes: 2 });
    expect(sha256(readFileSync(path))).toBe(served.sha256);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('leaves no file, partial or final, when the download fails', async () => {
    file({ replies: [{ cutAt: MiB }, { ignoreRange: true }] });
    const path = join(dir, 'out.bin');
    const error = await client()
      .download('/file.bin', path)
      .catch((e: unknown) => e);
    expect(isStreamResumeError(error)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no file when the server refuses the download', async () => {
    server.plan('/missing', [{ status: 404 }]);
    const path = join(dir, 'out.bin');
    const error = await client()
      .download('/missing', path)
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(404);
    expect(readdirSync(dir)).toEqual([]);
  });
});
