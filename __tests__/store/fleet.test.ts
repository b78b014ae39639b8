/**
 * A fleet of real processes: four workers (helpers/fleet-worker.ts, two on node-redis, two on
 * ioredis) against one redis-server and one real HTTP server.
 */
import { startWorker, type Worker } from '../helpers/fleet';
import type { CallOutcome, WorkerConfig } from '../helpers/fleet-worker';
import type { ClientKind } from '../helpers/redis-clients';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { startTestServer, type TestServer } from '../helpers/server';

jest.setTimeout(60_000);

const WORKERS = 4;
const FLUSH_MS = 50;
// Four processes, the test runner, Redis and the HTTP server share two cores: a busy event loop
// must not pass for an outage here, so the store's deadline is wider than its default.
const TIMEOUT_MS = 250;
const KINDS: ClientKind[] = ['node-redis', 'ioredis', 'node-redis', 'ioredis'];

describeWithRedis('a real redis-server', () => {
  let redis: RedisServer;
  let http: TestServer;
  let fleets = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    http = await startTestServer();
    http.plan('/fail', [{ status: 503 }]);
    http.plan('/limited', [{ status: 429, headers: { 'retry-after': 2 } }]);
    let flaky = 0;
    http.handle('/flaky', (_req, res) => {
      flaky += 1;
      res.writeHead(flaky % 2 === 1 ? 503 : 200, { 'content-length': 2 });
      res.end('ok');
    });
  });

  afterAll(async () => {
    await http?.close();
    await redis?.stop();
  });

  /** Four workers with the same options; `shared: false` gives each its own in-memory state. */
  async function fleet(options: Record<string, unknown>, shared = true): Promise<Worker[]> {
    fleets += 1;
    const base: Omit<WorkerConfig, 'client'> = {
      redisUrl: redis.url,
      prefix: `fleet-${fleets}`,
      shared,
      flushMs: FLUSH_MS,
      timeoutMs: TIMEOUT_MS,
      baseURL: http.url,
      options: { baseDelayMs: 1, maxDelayMs: 5, jitter: 'none', ...options },
    };
    const workers = await Promise.all(
      KINDS.slice(0, WORKERS).map((client) => startWorker({ ...base, client })),
    );
    running.push(...workers);
    return workers;
  }

  const running: Worker[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((worker) => worker.close()));
  });

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  async function burst(worker: Worker, path: string, count: number, concurrency = 1): Promise<CallOutcome[]> {
    return (await worker.ask<{ outcomes: CallOutcome[] }>({ cmd: 'burst', path, count, concurrency }))
      .outcomes;
  }

  /** Retries the HTTP server saw for a burst of `calls` logical requests to `path`. */
  async function retriesSent(workers: Worker[], path: string, perWorker: number): Promise<number> {
    const before = http.hits(path);
    await Promise.all(workers.map((worker) => burst(worker, path, perWorker, 5)));
    return http.hits(path) - before - workers.length * perWorker;
  }

  describe('a fleet of four processes on one Redis', () => {
    // reserve = minPerSecond · windowMs / 1000 = 10, plus ratio 0.1 × the requests in the window.
    const budget = { ratio: 0.1, minPerSecond: 1, windowMs: 10_000 };
    const PER_WORKER = 20;
    const FORMULA = 10 + 0.1 * WORKERS * PER_WORKER; // 18 for the fleet

    test('shares one retry budget: the fleet retries within the formula, its reserve counted once', async () => {
      const workers = await fleet({ retries: 3, retryBudget: budget });
      const retries = await retriesSent(workers, '/fail', PER_WORKER);
      expect(retries).toBeLessThanOrEqual(FORMULA);
      expect(retries).toBeGreaterThanOrEqual(10);
    });

    test('without the store, the same fleet retries far beyond it (each process has its own reserve)', async () => {
      const workers = await fleet({ retries: 3, retryBudget: budget }, false);
      const retries = await retriesSent(workers, '/fail', PER_WORKER);
      // Each process: 10 + 0.1 × 20 = 12.
      expect(retries).toBeGreaterThan(2 * FORMULA);
    });

    test('a circuit opened by one process rejects in every other within flushMs and a round trip', async () => {
      const workers = await fleet({
        retries: 0,
        circuitBreaker: { minimumThroughput: 6, failureRatio: 0.5, breakDurationMs: 20_000 },
      });
      const [first, ...others] = workers as [Worker, ...Worker[]];
      // Every process has met the scope (4 failures: below minimumThroughput).
      await Promise.all(workers.map((worker) => burst(worker, '/fail', 1)));
      await sleep(FLUSH_MS * 2);
      // Two more failures reach it: the flush that carries them opens the circuit.
      const outcomes = await burst(first, '/fail', 2);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([503, 503]);
      const opened = performance.now();
      const seen = await Promise.all(
        others.map(async (worker) => {
          while ((await worker.ask<{ state: string }>({ cmd: 'state', scope: '/fail' })).state !== 'open') {
            if (performance.now() - opened > 2000) return Infinity;
          }
          return performance.now() - opened;
        }),
      );
      // flushMs + a round trip, with room for four processes on two cores (and the polling itself).
      for (const ms of seen) expect(ms).toBeLessThan(FLUSH_MS + 150);
      const hits = http.hits('/fail');
      const rejected = (await Promise.all(others.map((worker) => burst(worker, '/fail', 3)))).flat();
      expect(rejected.map((outcome) => outcome.code)).toEqual(Array(9).fill('ERR_CIRCUIT_OPEN'));
      expect(http.hits('/fail')).toBe(hits);
    });

    test('a 429 with Retry-After in one process pauses the scope in the others', async () => {
      const workers = await fleet({ retries: 0, maxRetryAfterMs: 500 });
      const [first, ...others] = workers as [Worker, ...Worker[]];
      expect((await burst(first, '/limited', 1))[0]?.status).toBe(429);
      await sleep(60);
      const hits = http.hits('/limited');
      const held = (await Promise.all(others.map((worker) => burst(worker, '/limited', 1)))).flat();
      // The pause (2 s) is longer than their maxRetryAfterMs: rejected at once, unsent.
      expect(held.map((outcome) => outcome.code)).toEqual(Array(3).fill('ERR_RATE_LIMITED'));
      expect(held.map((outcome) => outcome.reason)).toEqual(Array(3).fill('retry-after-too-long'));
      expect(http.hits('/limited')).toBe(hits);
    });

    test('Redis killed mid-run: nothing hangs, one warning each, and sharing resumes after the restart', async () => {
      const workers = await fleet({
        retries: 2,
        retryBudget: { ratio: 1, minPerSecond: 100, windowMs: 10_000 },
        circuitBreaker: { minimumThroughput: 6, failureRatio: 0.9, breakDurationMs: 20_000 },
      });
      // First calls pay for warming up (JIT, first connections): not what is measured here.
      await Promise.all(workers.map((worker) => burst(worker, '/flaky', 4, 2)));
      // Every call to /flaky needs one retry: every call asks Redis for a grant.
      const loops = workers.map((worker) =>
        worker.ask<{ calls: number; maxMs: number }>({
          cmd: 'loop',
          path: '/flaky',
          durationMs: 1200,
          concurrency: 2,
        }),
      );
      await sleep(300);
      await redis.kill();
      await sleep(400);
      await redis.restart();
      const results = await Promise.all(loops);
      for (const { calls, maxMs } of results) {
        expect(calls).toBeGreaterThan(20);
        // Each call: two local HTTP round trips and at most one store call bounded by timeoutMs.
        expect(maxMs).toBeLessThan(TIMEOUT_MS + 300);
      }
      const reports = await Promise.all(
        workers.map((worker) => worker.ask<{ warn: string[]; info: string[] }>({ cmd: 'report' })),
      );
      for (const { warn, info } of reports) {
        expect(warn).toHaveLength(1);
        expect(info.length).toBeGreaterThanOrEqual(1);
      }
      // Sharing resumes: a circuit opened by one rejects the others' first call to that scope.
      const [first, ...others] = workers as [Worker, ...Worker[]];
      await burst(first, '/fail', 10);
      await sleep(FLUSH_MS + 100);
      const hits = http.hits('/fail');
      const rejected = (await Promise.all(others.map((worker) => burst(worker, '/fail', 1)))).flat();
      expect(rejected.map((outcome) => outcome.code)).toEqual(Array(3).fill('ERR_CIRCUIT_OPEN'));
      expect(http.hits('/fail')).toBe(hits);
    });
  });
});
