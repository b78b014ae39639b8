/**
 * Type-level check (run by `npm run typecheck`, never executed): every client the store accepts
 * type-checks as `createRedisStore`'s argument, with the settings docs/fleet.md recommends.
 */
import { Redis, Cluster } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { createRedisStore } from '../../src/redis';

export async function everyClientTypeChecks(): Promise<void> {
  const a = await createClient({ disableOfflineQueue: true }).connect();
  createRedisStore(a, { prefix: 'x' });
  const b = createClient();
  createRedisStore(b, { prefix: 'x' });
  const c = new Redis({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  createRedisStore(c, { prefix: 'x' });
  const d = new Cluster([]);
  createRedisStore(d, { prefix: 'x' });
  const e = createCluster({ rootNodes: [] });
  createRedisStore(e, { prefix: 'x' });
}
