import type { ResilienceStore } from './store/types.js';
import type { RedisClient } from './store/redis/adapter.js';
import type { StoreLogger } from './store/redis/link.js';
import { RedisStore } from './store/redis/store.js';

export type {
  RedisClient,
  NodeRedisClient,
  NodeRedisClusterClient,
  IoRedisClient,
} from './store/redis/adapter.js';
export type { StoreLogger } from './store/redis/link.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * Processes whose stores have the same prefix share one retry budget, one breaker and one pause
   * per scope. Every key is `{prefix}:…` (one hash tag: one Redis Cluster slot), so it may not
   * contain `{` or `}`.
   * @example prefix: 'billing'
   */
  prefix: string;
  /**
   * Counts and outcomes are sent to Redis in batches at most this far apart (ms): what the fleet
   * sees lags by up to this plus one round trip.
   * @default 100
   */
  flushMs?: number | undefined;
  /**
   * No call waits on Redis longer than this (ms). A store that fails or answers later is bypassed:
   * the process works on its local state until Redis answers again.
   * @default 50
   */
  timeoutMs?: number | undefined;
  /** Told once per outage (`warn`), and when Redis answers again (`info`). */
  logger?: StoreLogger | undefined;
}

/**
 * A store that shares the retry budget, the circuit breakers and the scope pauses of every
 * instance, in any process, whose store has the same `prefix`. Give it a connected client:
 * node-redis 4+ (`redis`, with `disableOfflineQueue: true`) or ioredis (with
 * `enableOfflineQueue: false, maxRetriesPerRequest: 0`). It opens one more connection (the
 * client's `duplicate()`) to subscribe; `close()` flushes, stops its timer and closes that
 * connection, never the client given.
 *
 * @example
 * const redis = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * const store = createRedisStore(redis, { prefix: 'billing' });
 * const api = createResilientAxios({ store, circuitBreaker: true });
 * @throws TypeError when the client is neither, or an option is invalid
 */
export function createRedisStore(client: RedisClient, options: RedisStoreOptions): ResilienceStore {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the options of \`createRedisStore\` to be an object, got ${String(options)}`,
    );
  }
  const { prefix, flushMs = 100, timeoutMs = 50, logger } = options;
  for (const key of Object.keys(options)) {
    if (!['prefix', 'flushMs', 'timeoutMs', 'logger'].includes(key)) {
      throw new TypeError(
        `Unknown option \`${key}\` of \`createRedisStore\` (known: prefix, flushMs, timeoutMs, logger)`,
      );
    }
  }
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError(
      `Expected \`prefix\` to be a non-empty string without \`{\` or \`}\`, got ${JSON.stringify(prefix)}`,
    );
  }
  positive('flushMs', flushMs);
  positive('timeoutMs', timeoutMs);
  if (logger !== undefined && (logger === null || typeof logger.warn !== 'function')) {
    throw new TypeError('Expected `logger` to have a `warn` method');
  }
  return new RedisStore(client, { prefix, flushMs, timeoutMs, logger });
}

function positive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw new TypeError(`Expected \`${name}\` to be a positive number of milliseconds, got ${String(value)}`);
  }
}
