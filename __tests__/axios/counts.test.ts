/**
 * The counters add up whatever happens: requests = successes + Σ giveUps once every call has
 * ended, and attempts = what the server saw. Random mixes of statuses, resets, cancels, throwing
 * hooks and interceptors, against the real test server.
 */
import axios from 'axios';
import fc from 'fast-check';
import { attachResilience } from '../../src/index.js';
import { startTestServer, type Plan, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const outcome = fc.constantFrom<Plan>(
  { status: 200 },
  { status: 503 },
  { status: 404 },
  { status: 429, headers: { 'retry-after': '0' } },
  { resetBeforeBody: true },
  { status: 200, body: 'x'.repeat(50), cutAfterBytes: 5 },
);

const call = fc.record({
  plans: fc.array(outcome, { minLength: 1, maxLength: 4 }),
  method: fc.constantFrom('get', 'post', 'put'),
  cancelAfterMs: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  resilienceFalse: fc.boolean(),
});

const scenario = fc.record({
  calls: fc.array(call, { minLength: 1, maxLength: 6 }),
  retries: fc.integer({ min: 0, max: 3 }),
  onRetryThrowsAt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  interceptorThrowsAt: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  unwrap: fc.boolean(),
  budget: fc.boolean(),
});

let run = 0;

it('keeps requests = successes + Σ giveUps and attempts = server hits, for any mix', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      run += 1;
      const instance = axios.create({ baseURL: server.url });
      let retriesSeen = 0;
      const handle = attachResilience(instance, {
        retries: s.retries,
        baseDelayMs: 1,
        jitter: 'none',
        retryBudget: s.budget ? { minPerSecond: 1, windowMs: 1000 } : false,
        onRetry: () => {
          retriesSeen += 1;
          if (retriesSeen === s.onRetryThrowsAt) throw new Error('hook failed');
        },
      });
      let dispatches = 0;
      instance.interceptors.request.use((config) => {
        dispatches += 1;
        if (dispatches === s.interceptorThrowsAt) throw new Error('interceptor failed');
        return config;
      });
      if (s.unwrap) instance.interceptors.response.use((r) => r.data);
      const before = server.requests.length;
      const untrackedPaths = new Set<string>();
      await Promise.all(
        s.calls.map(async (c, index) => {
          const path = `/p${run}-${index}`;
          server.plan(path, c.plans);
          const controller = new AbortController();
          if (c.cancelAfterMs !== undefined) setTimeout(() => controller.abort(), c.cancelAfterMs);
          await instance
            .request({
              url: path,
              method: c.method,
              data: c.method === 'get' ? undefined : { n: index },
              signal: controller.signal,
              ...(c.resilienceFalse ? { resilience: false as const } : {}),
            })
            .catch(() => undefined);
          if (c.resilienceFalse) untrackedPaths.add(path);
        }),
      );
      // Let sockets that were cut report their last request.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const stats = handle.stats();
      const ended = stats.successes + Object.values(stats.giveUps).reduce((a, b) => a + b, 0);
      expect(ended).toBe(stats.requests);
      const hits = server.requests.slice(before).filter((r) => !untrackedPaths.has(r.url)).length;
      // An attempt aborted on the wire may or may not have reached the server; nothing else differs.
      const canceled = s.calls.filter((c) => c.cancelAfterMs !== undefined && !c.resilienceFalse).length;
      expect(stats.attempts).toBeGreaterThanOrEqual(hits);
      expect(stats.attempts).toBeLessThanOrEqual(hits + canceled);
      expect(stats.attempts).toBe(stats.requests + stats.retries + stats.hedges);
    }),
    { numRuns: 40 },
  );
});
