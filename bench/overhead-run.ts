/**
 * The overhead measurements, in a process of their own so that no other scenario's garbage or JIT
 * state is in the way: `node --expose-gc --import tsx bench/overhead-run.ts '<json job>'`.
 * Prints one JSON object on stdout.
 *
 * - `time`: a warm-up, then rounds; in each round every case runs every variant once, in an order
 *   rotated by one each round, on one long-lived instance per variant. Wall and CPU µs per request.
 * - `alloc`: bytes allocated per successful request: `gc()`, heap used, N requests one at a time,
 *   heap used again. The parent starts this one with a young generation large enough that no GC
 *   runs inside the window (counted with a `gc` PerformanceObserver; a window with one is redone
 *   with fewer requests).
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { AxiosInstance } from 'axios';
import { BENCH_ID, memoryAdapter } from './adapter.js';
import { handLoop, makeClient, type Variant } from './contenders.js';
import { closedLoop } from './load.js';
import { RETRY_VARIANTS, SUCCESS_VARIANTS } from './overhead-variants.js';
import { nowMs, roundRobin } from './stats.js';

// tsx turns source maps on; they cost on every `new Error` (stack mapping): off for timing.
process.setSourceMapsEnabled(false);

export interface TimeCase {
  key: string;
  failFirst: boolean;
  concurrency: number;
  requests: number;
  rounds: number;
}

export type OverheadJob =
  { mode: 'time'; cases: TimeCase[]; only: string[] } | { mode: 'alloc'; requests: number; repeats: number };

/** `case key` → variant label → one value per round. */
export interface TimeResult {
  wall: Record<string, Record<string, number[]>>;
  cpu: Record<string, Record<string, number[]>>;
}

/** Variant label → bytes per request, one value per repeat. */
export type AllocResult = Record<string, number[]>;

const gc = (globalThis as { gc?: () => void }).gc;

function sender(variant: Variant, failFirst: boolean): (i: number) => Promise<unknown> {
  const client: AxiosInstance = makeClient(
    variant.name,
    { adapter: memoryAdapter(failFirst) },
    variant.tuning,
  );
  if (variant.name === 'axios' && failFirst) {
    const loop = handLoop(client);
    return (i) => loop('/item', { [BENCH_ID]: String(i) });
  }
  return (i) => client.get('/item', { headers: { [BENCH_ID]: String(i) } });
}

async function timeOne(
  send: (i: number) => Promise<unknown>,
  c: TimeCase,
  requests: number,
): Promise<{ wall: number; cpu: number }> {
  // No gc() here: a forced full GC shrinks the young generation, and the next run then pays for
  // many more scavenges (measured: plain axios 23 → 31 µs, ours/axios 1.05 → 1.2×). Steady state.
  const start = nowMs();
  const cpu0 = process.cpuUsage();
  await closedLoop(send, requests, c.concurrency);
  const cpu = process.cpuUsage(cpu0);
  return { wall: ((nowMs() - start) * 1000) / requests, cpu: (cpu.user + cpu.system) / requests };
}

async function time(cases: TimeCase[], only: readonly string[]): Promise<TimeResult> {
  const result: TimeResult = { wall: {}, cpu: {} };
  const variantsOf = (c: TimeCase): readonly Variant[] =>
    (c.failFirst ? RETRY_VARIANTS : SUCCESS_VARIANTS).filter(
      (v) => only.length === 0 || v.name === 'axios' || only.includes(v.label),
    );
  // One long-lived instance per variant and case, as an application keeps its instance.
  const senders = new Map<string, (i: number) => Promise<unknown>>();
  for (const c of cases)
    for (const v of variantsOf(c)) senders.set(`${c.key}|${v.label}`, sender(v, c.failFirst));
  const sendOf = (c: TimeCase, v: Variant) => senders.get(`${c.key}|${v.label}`)!;
  // Warm-up (JIT, lazy allocations), not recorded: every variant of every case, twice.
  for (let i = 0; i < 2; i++)
    for (const c of cases) for (const v of variantsOf(c)) await timeOne(sendOf(c, v), c, c.requests);
  for (const c of cases) {
    result.wall[c.key] = {};
    result.cpu[c.key] = {};
    for (const v of variantsOf(c)) {
      result.wall[c.key]![v.label] = [];
      result.cpu[c.key]![v.label] = [];
    }
  }
  const maxRounds = Math.max(...cases.map((c) => c.rounds));
  for (let round = 0; round < maxRounds; round++) {
    for (const c of cases) {
      if (round >= c.rounds) continue;
      for (const v of roundRobin(variantsOf(c), round)) {
        const t = await timeOne(sendOf(c, v), c, c.requests);
        result.wall[c.key]![v.label]!.push(t.wall);
        result.cpu[c.key]![v.label]!.push(t.cpu);
      }
    }
  }
  return result;
}

async function alloc(requests: number, repeats: number): Promise<AllocResult> {
  if (!gc) throw new Error('run with node --expose-gc');
  // Start times of the collections seen (performance.now() clock); entries arrive a little late.
  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
  const result: AllocResult = {};
  for (const v of SUCCESS_VARIANTS) result[v.label] = [];
  // Warm-up (JIT: optimized code lives on the heap too), not counted.
  for (const v of SUCCESS_VARIANTS) await closedLoop(sender(v, false), requests, 1);
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const v of roundRobin(SUCCESS_VARIANTS, repeat)) {
      const send = sender(v, false);
      await closedLoop(send, 200, 1); // lazy state of this instance, not counted
      for (let n = requests; n >= 10; n = Math.floor(n / 2)) {
        gc();
        const from = performance.now();
        const before = process.memoryUsage().heapUsed;
        await closedLoop(send, n, 1);
        const after = process.memoryUsage().heapUsed;
        const to = performance.now();
        await flush(); // the observer's entries for the window
        if (collections.some((t) => t >= from && t <= to)) continue;
        result[v.label]!.push((after - before) / n);
        break;
      }
    }
  }
  observer.disconnect();
  return result;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as OverheadJob;
  const out = job.mode === 'time' ? await time(job.cases, job.only) : await alloc(job.requests, job.repeats);
  process.stdout.write(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
