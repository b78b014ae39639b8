/**
 * The Redis store on a real Redis Cluster (three masters started by the test): every key of a
 * prefix is in one slot, so each script runs on one node, and published transitions reach
 * subscribers wherever they are connected.
 */
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { createRedisStore } from '../../src/redis';
import { PASS, REJECT, type ResilienceStore } from '../../src/store/types';
import { describeWithRedis, startRedisCluster, type RedisCluster } from '../helpers/redis-server';

const BREAKER = {
  failureRatio: 0.5,
  minimumThroughput: 4,
  samplingDurationMs: 10_000,
  breakDurationMs: 5000,
  maxBreakDurationMs: 10_000,
  halfOpenProbes: 1,
};

describeWithRedis('a real Redis Cluster', () => {
  let cluster: RedisCluster;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });

  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await cluster?.stop();
  });

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  async function ioredisStore(prefix: string): Promise<ResilienceStore> {
    const client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      {
        enableOfflineQueue: false,
        redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false },
      },
    );
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
    });
    const store = createRedisStore(client, { prefix, timeoutMs: 200 });
    closers.push(async () => {
      await store.close();
      client.disconnect();
    });
    return store;
  }

  async function nodeRedisStore(prefix: string): Promise<ResilienceStore> {
    const client = createCluster({
      rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
      defaults: { disableOfflineQueue: true },
    });
    client.on('error', () => undefined);
    await client.connect();
    const store = createRedisStore(client, { prefix, timeoutMs: 200 });
    closers.push(async () => {
      await store.close();
      client.destroy();
    });
    return store;
  }

  // Their hash tags fall in slots 865, 15419, 2469 and 9053: with three masters, every node serves one.
  test.each(['alpha', 'beta', 'gamma', 'delta'])(
    'prefix %s: a circuit opened through one cluster client rejects through the other',
    async (prefix) => {
      const [a, b] = [await ioredisStore(prefix), await nodeRedisStore(prefix)];
      await sleep(100);
      const breakerA = a.circuitBreaker('api', BREAKER, () => undefined);
      const breakerB = b.circuitBreaker('api', BREAKER, () => undefined);
      await sleep(100);
      expect(await breakerB.tryAcquire()).toBe(PASS);
      breakerB.record(false, false);
      for (let i = 0; i < 4; i++) breakerA.record(true, false);
      const started = performance.now();
      while (breakerB.state() !== 'open' && performance.now() - started < 1000) await sleep(5);
      expect(breakerB.tryAcquire()).toBe(REJECT);
      // The budget is one budget across both clients.
      const budgets = [a, b].map((store) =>
        store.retryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }),
      );
      const answers = await Promise.all(
        budgets.flatMap((budget) => Array.from({ length: 8 }, () => budget.tryAcquireRetry())),
      );
      expect(answers.filter(Boolean)).toHaveLength(10);
    },
  );
});
