/**
 * One memory measurement, in its own process: `node --expose-gc --import tsx bench/memory.ts <contender> <requests> <concurrency>`.
 * Sends that many requests through an in-memory adapter whose first attempt of each answers 503
 * (so every request is retried once, 0 ms delay), then prints the heap as JSON on stdout.
 */
import { BENCH_ID, memoryAdapter } from './adapter.js';
import { handLoop, makeClient, type ContenderName } from './contenders.js';
import { closedLoop } from './load.js';

export interface MemorySample {
  baselineMB: number;
  afterMB: number;
  peakMB: number;
}

async function main(): Promise<void> {
  const [name, requestsArg, concurrencyArg] = process.argv.slice(2) as [ContenderName, string, string];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const client = makeClient(
    name,
    { adapter: memoryAdapter(true) },
    { baseDelayMs: 0, ours: { retryBudget: false } },
  );
  const loop = handLoop(client);
  const send =
    name === 'axios'
      ? (i: number) => loop('/item', { [BENCH_ID]: String(i) })
      : (i: number) => client.get('/item', { headers: { [BENCH_ID]: String(i) } });
  const heapMB = (): number => process.memoryUsage().heapUsed / 2 ** 20;
  await closedLoop(send, 1000, Number(concurrencyArg)); // warm-up: JIT and lazy allocations
  gc();
  gc();
  const baselineMB = heapMB();
  let peakMB = baselineMB;
  await closedLoop(
    (i) => {
      if (i % 1000 === 0) peakMB = Math.max(peakMB, heapMB());
      return send(1000 + i);
    },
    Number(requestsArg),
    Number(concurrencyArg),
  );
  gc();
  gc();
  const sample: MemorySample = { baselineMB, afterMB: heapMB(), peakMB };
  process.stdout.write(JSON.stringify(sample));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
