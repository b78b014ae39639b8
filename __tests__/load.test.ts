import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import {
  attachResilience,
  createRetryBudget,
  getRetryState,
  type ResilienceHandle,
  type ResilienceOptions,
  type ResilienceStats,
} from '../src/index.js';
import { seededRandom } from './helpers/seeded-random.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const answer = (res: http.ServerResponse, status: number, body = ''): void => {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/** Timers the process holds right now (jest's own included, so compare before and after). */
const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** Waits (a few ms at a time, at most 2 s) until `done()` holds; returns whether it did. */
async function eventually(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  return done();
}

const sumGiveUps = (stats: ResilienceStats): number =>
  Object.values(stats.giveUps).reduce((sum, n) => sum + n, 0);

interface Client {
  api: AxiosInstance;
  handle: ResilienceHandle;
  agent: http.Agent;
}

function client(server: TestServer, options: ResilienceOptions): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const api = axios.create({ baseURL: server.url, httpAgent: agent });
  return { api, handle: attachResilience(api, options), agent };
}

/**
 * Sends `send(i)` at a steady `ratePerSecond` for `durationMs` (catching up when a tick is late,
 * so the average rate holds on a busy machine) and waits for every call to settle.
 */
async function atSteadyRate(
  ratePerSecond: number,
  durationMs: number,
  send: (i: number) => Promise<unknown>,
): Promise<{ outcomes: unknown[]; sendingMs: number }> {
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  const calls: Promise<unknown>[] = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSecond) / 1000) + 1);
      while (calls.length < due) calls.push(send(calls.length));
      if (calls.length >= total) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  const sendingMs = performance.now() - started;
  return { outcomes: await Promise.all(calls), sendingMs };
}

describe('under load', () => {
  // No listener needed for unhandled rejections: jest fails the running test on one by itself.
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(() => server.close());

  it('settles 2,000 concurrent requests correctly when 20% of attempts fail, and leaks nothing', async () => {
    const random = seededRandom(2026);
    server.handle('/item', (req, res) => {
      const roll = random();
      if (roll < 0.1) answer(res, 503);
      else if (roll < 0.2) req.socket.destroy();
      else answer(res, 200, 'ok');
    });
    const timersBefore = activeTimers();
    const { api, handle, agent } = client(server, { baseDelayMs: 2 });

    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        api.get<string>(`/item?i=${i}`).then(
          (response) => ({ ok: true as const, response }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );

    const stats = handle.stats();
    const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    for (const outcome of outcomes) {
      if (outcome.ok) {
        expect(outcome.response.data).toBe('ok');
        continue;
      }
      const state = getRetryState(outcome.error);
      expect(axios.isAxiosError(outcome.error)).toBe(true);
      expect(['exhausted', 'budget']).toContain(state?.reason);
      if (state?.reason === 'exhausted') expect(state.attempts).toBe(4);
    }
    const attemptsSeen = outcomes.reduce(
      (sum, o) => sum + (getRetryState(o.ok ? o.response : o.error)?.attempts ?? 0),
      0,
    );
    expect(stats.requests).toBe(2000);
    expect(stats.attempts).toBe(server.hits('/item'));
    expect(attemptsSeen).toBe(stats.attempts);
    expect(stats.retries).toBe(stats.attempts - stats.requests);
    expect(stats.successes).toBe(2000 - failures.length);
    expect(stats.successes + sumGiveUps(stats)).toBe(2000);
    expect(stats.budgetRefusals).toBe(stats.giveUps.budget);

    // Nothing left behind: at most maxSockets idle keep-alive sockets, then none once closed.
    expect(server.openSockets()).toBeLessThanOrEqual(50);
    agent.destroy();
    expect(await eventually(() => server.openSockets() === 0)).toBe(true);
    expect(Object.keys(agent.sockets)).toHaveLength(0);
    expect(Object.keys(agent.freeSockets)).toHaveLength(0);
    expect(Object.keys(agent.requests)).toHaveLength(0);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  }, 30_000);

  describe('a client during a full outage (every answer 503), at 400 requests per second', () => {
    // The default window is 10 s; a 1 s window (same minPerSecond and ratio, so the same
    // steady-state formula: 10 retries/s + 20% of requests) reaches the steady state in a
    // fraction of the time, which keeps this test short. 2.5 windows, because the run's last
    // retries may use what the first slices give back as they leave the window.
    const RATE = 400;

    async function hitsPerRequest(options: ResilienceOptions, durationMs: number): Promise<number> {
      server.plan('/down', [{ status: 503 }]);
      const { api, handle, agent } = client(server, { retries: 3, baseDelayMs: 1, ...options });
      const { outcomes, sendingMs } = await atSteadyRate(RATE, durationMs, (i) =>
        api.get(`/down?i=${i}`).catch((error: unknown) => error),
      );
      agent.destroy();
      const stats = handle.stats();
      expect(stats.attempts).toBe(server.hits('/down'));
      expect(outcomes.every((error) => axios.isAxiosError(error))).toBe(true);
      // At 200 requests/s the formula itself allows 1.2 + 10/200 = 1.25: the rate must be well above.
      expect((outcomes.length * 1000) / sendingMs).toBeGreaterThan(300);
      return server.hits('/down') / outcomes.length;
    }

    it('sends at most 1.25 attempts per request with the retry budget', async () => {
      const budget = createRetryBudget({ windowMs: 1000, minPerSecond: 10, ratio: 0.2 });

      expect(await hitsPerRequest({ retryBudget: budget }, 2500)).toBeLessThanOrEqual(1.25);
    });

    it('sends retries + 1 = 4 attempts per request without it', async () => {
      expect(await hitsPerRequest({ retryBudget: false }, 1000)).toBe(4);
    });
  });

  describe('transient failures (10% of attempts), at 300 requests per second', () => {
    /** The same attempts fail in every run: attempt n of request i fails when its roll is < 0.1. */
    function failTenPercent(): void {
      const attemptsOf = new Map<string, number>();
      server.handle('/flaky', (req, res) => {
        const i = new URL(req.url ?? '/', server.url).searchParams.get('i') ?? '';
        const n = (attemptsOf.get(i) ?? 0) + 1;
        attemptsOf.set(i, n);
        answer(res, seededRandom(Number(i) * 16 + n)() < 0.1 ? 503 : 200, 'ok');
      });
    }

    async function successes(options: ResilienceOptions): Promise<ResilienceStats> {
      failTenPercent();
      const { api, handle, agent } = client(server, { retries: 3, baseDelayMs: 1, ...options });
      await atSteadyRate(300, 1000, (i) => api.get(`/flaky?i=${i}`).catch(() => undefined));
      agent.destroy();
      return handle.stats();
    }

    it('succeeds as often with the default retry budget as with unlimited retries', async () => {
      const withBudget = await successes({});
      server.requests.length = 0;
      const without = await successes({ retryBudget: false });

      expect(withBudget.budgetRefusals).toBe(0);
      expect(withBudget.successes).toBe(without.successes);
      expect(withBudget.retries).toBe(without.retries);
    });
  });
});
