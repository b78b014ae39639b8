/**
 * The Redis store against a real redis-server (started by the test; see helpers/redis-server.ts),
 * through both clients. Each "process" here is a store on its own connection, as a replica would be.
 */
import { createRedisStore } from '../../src/redis';
import { type BreakerGuard, PASS, PROBE, REJECT, type ResilienceStore } from '../../src/store/types';
import { connectClient, type ClientKind, type ConnectedClient } from '../helpers/redis-clients';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';

const FLUSH_MS = 40;
const TIMEOUT_MS = 50;
const BREAKER = {
  failureRatio: 0.5,
  minimumThroughput: 4,
  samplingDurationMs: 10_000,
  breakDurationMs: 300,
  maxBreakDurationMs: 1000,
  halfOpenProbes: 1,
};
const BUDGET = { ratio: 0, minPerSecond: 1, windowMs: 10_000 };

/** Polls until `check()` holds; resolves to the ms it took. */
async function within(limitMs: number, check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return performance.now() - started;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Logged {
  warn: string[];
  info: string[];
}

describeWithRedis('a real redis-server', () => {
  describe.each<ClientKind>(['node-redis', 'ioredis'])('the Redis store with %s', (kind) => {
    let server: RedisServer;
    const clients: ConnectedClient[] = [];
    const stores: ResilienceStore[] = [];
    let admin: ConnectedClient;
    let prefixes = 0;
    let prefix: string;

    beforeAll(async () => {
      server = await startRedisServer();
      admin = await connectClient(kind, server.url);
    });

    afterAll(async () => {
      await admin?.quit();
      await server?.stop();
    });

    beforeEach(() => {
      prefixes += 1;
      prefix = `test-${kind}-${prefixes}`;
    });

    afterEach(async () => {
      server.thaw();
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await Promise.all(clients.splice(0).map((client) => client.quit()));
    });

    /** One replica: its own connection and store. */
    async function replica(
      options: { flushMs?: number } = {},
    ): Promise<{ store: ResilienceStore; log: Logged }> {
      const connected = await connectClient(kind, server.url);
      clients.push(connected);
      const log: Logged = { warn: [], info: [] };
      const store = createRedisStore(connected.client as never, {
        prefix,
        flushMs: options.flushMs ?? FLUSH_MS,
        timeoutMs: TIMEOUT_MS,
        logger: { warn: (m: string) => log.warn.push(m), info: (m: string) => log.info.push(m) },
      });
      stores.push(store);
      // Let the subscription and the first reads settle.
      await sleep(30);
      return { store, log };
    }

    async function keys(): Promise<string[]> {
      return ((await admin.command(['KEYS', '*'])) as string[]).filter((key) => key.includes(prefix));
    }

    /** Two replicas' breakers: A's failures open the fleet's circuit, then its break ends. */
    async function breakersPastTheirBreak(): Promise<[BreakerGuard, BreakerGuard]> {
      const [a, b] = [await replica(), await replica()];
      const breakerA = a.store.circuitBreaker('api', BREAKER, () => undefined);
      const breakerB = b.store.circuitBreaker('api', BREAKER, () => undefined);
      await Promise.all([breakerA.tryAcquire(), breakerB.tryAcquire()]);
      for (let i = 0; i < 4; i++) breakerA.record(true, false);
      await within(FLUSH_MS + 200, () => breakerB.state() === 'open');
      // The break ends at the fleet's time (Redis TIME), read through an estimated clock offset:
      // polled, not slept for exactly breakDurationMs, so a few ms of offset cannot fail the test.
      await within(BREAKER.breakDurationMs + 100, () => breakerA.state() === 'half-open');
      return [breakerA, breakerB];
    }

    test('a circuit opened in one process rejects in another within flushMs and a round trip', async () => {
      const [a, b] = [await replica(), await replica()];
      const heard: string[] = [];
      const breakerA = a.store.circuitBreaker('api', BREAKER, () => undefined);
      const breakerB = b.store.circuitBreaker('api', BREAKER, (from, to) => heard.push(`${from}->${to}`));
      await Promise.all([breakerA.tryAcquire(), breakerB.tryAcquire()]);
      for (let i = 0; i < 4; i++) {
        expect(breakerA.tryAcquire()).toBe(PASS);
        breakerA.record(true, false);
      }
      // flushMs + a round trip; the rest is room for late timers on a busy two-core machine.
      const tookMs = await within(FLUSH_MS + 100, () => breakerB.state() === 'open');
      expect(tookMs).toBeLessThan(FLUSH_MS + 100);
      expect(breakerB.tryAcquire()).toBe(REJECT);
      expect(breakerB.retryAfterMs()).toBeGreaterThan(0);
      expect(breakerB.retryAfterMs()).toBeLessThanOrEqual(BREAKER.breakDurationMs);
      expect(heard).toEqual(['closed->open']);
    });

    test('half-open, the fleet lets one probe through, and its success closes the circuit everywhere', async () => {
      const [breakerA, breakerB] = await breakersPastTheirBreak();
      expect(breakerA.state()).toBe('half-open');
      const permits = await Promise.all([breakerA.tryAcquire(), breakerB.tryAcquire()]);
      expect([...permits].sort()).toEqual([PROBE, REJECT]);
      const prober = permits[0] === PROBE ? breakerA : breakerB;
      const other = prober === breakerA ? breakerB : breakerA;
      prober.record(false, true);
      await within(200, () => other.state() === 'closed' && prober.state() === 'closed');
      expect(other.tryAcquire()).toBe(PASS);
    });

    test('a failed probe re-opens the circuit for the fleet with the break doubled', async () => {
      const [breakerA, breakerB] = await breakersPastTheirBreak();
      expect(await breakerA.tryAcquire()).toBe(PROBE);
      breakerA.record(true, true);
      await within(200, () => breakerB.state() === 'open');
      expect(breakerB.retryAfterMs()).toBeGreaterThan(BREAKER.breakDurationMs);
    });

    test('a pause named in one process holds the same scope in another', async () => {
      const [a, b] = [await replica(), await replica()];
      const told: number[] = [];
      const pacerA = a.store.scopePacer('api', () => undefined);
      const pacerB = b.store.scopePacer('api', (waitMs) => told.push(waitMs));
      await sleep(20);
      expect(pacerB.acquire()).toBe(0);
      pacerB.settle();
      pacerA.pause(2000);
      await within(150, () => told.length > 0);
      const waitMs = pacerB.acquire();
      expect(waitMs).toBeGreaterThan(1800);
      expect(waitMs).toBeLessThanOrEqual(2000);
    });

    test('a process that joins during a pause waits for it', async () => {
      const a = await replica();
      a.store.scopePacer('api', () => undefined).pause(2000);
      await sleep(20);
      const late = await replica();
      const pacer = late.store.scopePacer('api', () => undefined);
      await within(150, () => pacer.acquire() > 0);
    });

    test('the retry budget is one budget for the fleet: its reserve counts once', async () => {
      const replicas = [await replica(), await replica(), await replica()];
      const budgets = replicas.map(({ store }) => store.retryBudget(BUDGET));
      // reserve = minPerSecond · windowMs / 1000 = 10 for the whole fleet, ratio 0.
      const answers = await Promise.all(
        budgets.flatMap((budget) => Array.from({ length: 10 }, () => budget.tryAcquireRetry())),
      );
      expect(answers.filter(Boolean)).toHaveLength(10);
    });

    test('requests flushed from every process raise the fleet budget by ratio × requests', async () => {
      const [a, b] = [await replica(), await replica()];
      const settings = { ratio: 0.5, minPerSecond: 0, windowMs: 10_000 };
      const budgetA = a.store.retryBudget(settings);
      const budgetB = b.store.retryBudget(settings);
      for (let i = 0; i < 6; i++) budgetA.recordRequest();
      for (let i = 0; i < 4; i++) budgetB.recordRequest();
      await sleep(FLUSH_MS * 3);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? budgetA : budgetB).tryAcquireRetry()),
      );
      expect(answers.filter(Boolean)).toHaveLength(5);
    });

    test('the success path makes no round trip: a thousand requests and outcomes are one flush', async () => {
      // No timer flush during the test: close() sends what is pending.
      const { store } = await replica({ flushMs: 60_000 });
      const budget = store.retryBudget(BUDGET);
      const breaker = store.circuitBreaker('api', BREAKER, () => undefined);
      await breaker.tryAcquire(); // its first read of the fleet's state
      const before = await evalCalls();
      for (let i = 0; i < 1000; i++) {
        budget.recordRequest();
        expect(breaker.tryAcquire()).toBe(PASS);
        breaker.record(false, false);
      }
      expect(await evalCalls()).toBe(before);
      await store.close();
      // One batch for the budget, one for the breaker.
      expect(await evalCalls()).toBe(before + 2);
    });

    test('every key of a prefix is under its hash tag', async () => {
      const { store } = await replica();
      store.retryBudget(BUDGET).recordRequest();
      const breaker = store.circuitBreaker('https://api.example.com:443', BREAKER, () => undefined);
      breaker.record(true, false);
      store.scopePacer('https://api.example.com:443', () => undefined).pause(1000);
      await sleep(FLUSH_MS * 3);
      const found = await keys();
      expect(found.length).toBeGreaterThanOrEqual(4);
      for (const key of found) expect(key.startsWith(`{${prefix}}:`)).toBe(true);
    });

    test('the scripts are loaded again when Redis has forgotten them (NOSCRIPT)', async () => {
      const { store } = await replica();
      const budget = store.retryBudget(BUDGET);
      expect(await budget.tryAcquireRetry()).toBe(true);
      await admin.command(['SCRIPT', 'FLUSH']);
      expect(await budget.tryAcquireRetry()).toBe(true);
    });

    test('a frozen Redis: no call waits longer than timeoutMs, one warning, local answers', async () => {
      const { store, log } = await replica();
      const budget = store.retryBudget(BUDGET);
      const breaker = store.circuitBreaker('api', BREAKER, () => undefined);
      expect(await budget.tryAcquireRetry()).toBe(true);
      server.freeze();
      const started = performance.now();
      expect(await budget.tryAcquireRetry()).toBe(true);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 60);
      // Down: answered locally at once, without asking.
      for (let i = 0; i < 20; i++) expect(typeof budget.tryAcquireRetry()).toBe('boolean');
      for (let i = 0; i < 4; i++) breaker.record(true, false);
      expect(breaker.state()).toBe('open');
      await sleep(FLUSH_MS * 3);
      expect(log.warn).toHaveLength(1);
      expect(log.warn[0]).toMatch(/not answering/);
    });

    test('Redis killed, then restarted: local meanwhile, then the fleet shares again', async () => {
      const [a, b] = [await replica(), await replica()];
      const breakerA = a.store.circuitBreaker('api', BREAKER, () => undefined);
      const breakerB = b.store.circuitBreaker('api', BREAKER, () => undefined);
      const budgetA = a.store.retryBudget(BUDGET);
      await Promise.all([breakerA.tryAcquire(), breakerB.tryAcquire()]);
      await server.kill();
      const started = performance.now();
      await budgetA.tryAcquireRetry();
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 60);
      await sleep(FLUSH_MS * 2);
      expect(a.log.warn).toHaveLength(1);
      await server.restart();
      // A asked during the outage, so it knew; B made no call of its own (its resubscription may
      // have caught the main connection still reconnecting: then it warned, once).
      await within(2000, () => a.log.info.length > 0);
      expect(b.log.warn.length).toBeLessThanOrEqual(1);
      await sleep(FLUSH_MS);
      for (let i = 0; i < 4; i++) breakerA.record(true, false);
      await within(FLUSH_MS + 100, () => breakerB.state() === 'open');
      expect(a.log.warn).toHaveLength(1);
      expect(b.log.warn.length).toBeLessThanOrEqual(1);
    });

    test('a batch that timed out is sent again under its id and counted once', async () => {
      const { store } = await replica({ flushMs: 60 });
      const budget = store.retryBudget({ ratio: 1, minPerSecond: 0, windowMs: 10_000 });
      await sleep(20);
      server.freeze();
      for (let i = 0; i < 5; i++) budget.recordRequest();
      // The flush writes the batch, gets no answer in time, keeps it.
      await sleep(150);
      server.thaw();
      // Redis runs the first copy now; the next flush sends it again under the same id.
      await sleep(400);
      expect(await requestsCounted()).toBe(5);
    });

    async function evalCalls(): Promise<number> {
      const info = String(await admin.command(['INFO', 'commandstats']));
      let calls = 0;
      for (const match of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(match[1]);
      return calls;
    }

    async function requestsCounted(): Promise<number> {
      const fields = (await admin.command(['HGETALL', `{${prefix}}:budget:10000`])) as unknown;
      const pairs = Array.isArray(fields) ? (fields as string[]) : Object.entries(fields as object).flat();
      let total = 0;
      for (let i = 0; i < pairs.length; i += 2)
        if (String(pairs[i]).startsWith('q')) total += Number(pairs[i + 1]);
      return total;
    }
  });
});
