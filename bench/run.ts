/**
 * `npm run bench` — axios-resilience against plain axios, axios-retry 4.5 and retry-axios 4.0,
 * all in the same process and run, on this machine. Writes bench/results.md and one SVG chart per
 * scenario. `npm run bench -- --smoke` (or BENCH_SMOKE=1) runs every scenario with tiny counts
 * and writes to a temp dir instead (for CI).
 *
 * Scenarios: overhead (in-memory adapter, in a child `node --expose-gc`: time with its spread, and
 * bytes allocated per success), outage (server answering 503 to everything), faults (10% of
 * attempts fail), contention (server of limited capacity, jitter modes), memory (heap after N
 * retried requests, in a child `node --expose-gc`), quota (a fixed-window 429 quota, pacing), breaker
 * (an upstream down for a while), tail (2% of requests slow, hedging). Servers run in a separate
 * process on 127.0.0.1. `npm run bench:profile` profiles the success path (bench/profile.ts).
 *
 * Environment (defaults in parentheses; every count scales the run up or down):
 *   BENCH_SMOKE=1                     tiny counts, output to $TMPDIR/axios-resilience-bench
 *   BENCH_ONLY=overhead,outage,...    run only these scenarios (overhead, outage, faults, contention, memory,
 *                                     quota, breaker, tail, telemetry, fleet)
 *   BENCH_OUT=dir                     where results.md and the SVGs go (bench/)
 *   BENCH_OVERHEAD_ROUNDS (100)  BENCH_OVERHEAD_REQUESTS (1000)  BENCH_OVERHEAD_RETRY_ROUNDS (7)
 *   BENCH_OVERHEAD_RETRY_REQUESTS (500)  BENCH_OVERHEAD_CONCURRENCY (64)  BENCH_OVERHEAD_ALLOC_REQUESTS (2000)
 *   BENCH_OVERHEAD_ALLOC_REPEATS (5)  BENCH_OVERHEAD_VARIANTS (all; labels, comma-separated)
 *   BENCH_OUTAGE_ROUNDS (2)  BENCH_OUTAGE_RATE (500 req/s)  BENCH_OUTAGE_SECONDS (4)  BENCH_OUTAGE_BASE_DELAY_MS (10)
 *   BENCH_FAULT_ROUNDS (3)  BENCH_FAULT_RATE (300 req/s)  BENCH_FAULT_SECONDS (3)  BENCH_FAULT_RATIO (0.1)
 *   BENCH_FAULT_BASE_DELAY_MS (10)
 *   BENCH_CONTENTION_ROUNDS (3)  BENCH_CONTENTION_CLIENTS (100)  BENCH_CONTENTION_CAPACITY (5 in flight)
 *   BENCH_CONTENTION_SERVICE_MS (20)  BENCH_CONTENTION_BASE_DELAY_MS (10)  BENCH_CONTENTION_RETRIES (30)
 *   BENCH_MEMORY_ROUNDS (1)  BENCH_MEMORY_REQUESTS (100000)  BENCH_MEMORY_CONCURRENCY (100)
 *   BENCH_MEMORY_PARALLEL (2 child processes at once)
 *   BENCH_QUOTA_ROUNDS (1)  _CLIENTS (20)  _LIMIT (50)  _WINDOW_MS (1000)  _SECONDS (8)  _BASE_DELAY_MS (10)
 *   BENCH_BREAKER_ROUNDS (1)  _RATE (100)  _UP_S (1)  _DOWN_S (4)  _RECOVERED_S (3)  _DOWN_DELAY_MS (50)
 *   BENCH_BREAKER_BASE_DELAY_MS (10)  _BREAK_MS (1000)  _MAX_BREAK_MS (2000)  _COST_ROUNDS (15)  _COST_REQUESTS (2000)
 *   BENCH_TAIL_ROUNDS (1)  _RATE (100)  _SECONDS (20)  _SLOW_RATIO (0.02)  _SLOW_MS (400)  _FAST_MS (5)
 *   BENCH_TAIL_HEDGE_DELAY_MS (20)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG, machineFacts } from './config.js';
import { breaker } from './scenarios/breaker.js';
import { contention } from './scenarios/contention.js';
import { faults } from './scenarios/faults.js';
import { fleet } from './scenarios/fleet.js';
import { memory } from './scenarios/memory.js';
import { outage } from './scenarios/outage.js';
import { overhead } from './scenarios/overhead.js';
import { quota } from './scenarios/quota.js';
import { tail } from './scenarios/tail.js';
import { telemetry } from './scenarios/telemetry.js';
import type { ScenarioReport } from './scenarios/types.js';
import { measureSizes, sizeTable } from './size.js';
import { nowMs } from './stats.js';

const SCENARIOS = {
  overhead,
  outage,
  faults,
  contention,
  memory,
  quota,
  breaker,
  tail,
  telemetry,
  fleet,
} as const;

const ENV_DOC = [
  '| variable | default | smoke |',
  '|---|---|---|',
  '| `BENCH_SMOKE=1` (or `-- --smoke`) | off | tiny counts, output to `$TMPDIR/axios-resilience-bench` |',
  '| `BENCH_ONLY` | all | comma list of `overhead,outage,faults,contention,memory,quota,breaker,tail,telemetry,fleet` |',
  '| `BENCH_OUT` | `bench/` | output directory |',
  '| `BENCH_OVERHEAD_ROUNDS` / `_REQUESTS` / `_RETRY_ROUNDS` / `_RETRY_REQUESTS` / `_CONCURRENCY` | 100 / 1000 / 7 / 500 / 64 | 3 / 200 / 1 / 50 / 8 |',
  '| `BENCH_OVERHEAD_ALLOC_REQUESTS` / `_ALLOC_REPEATS` | 2000 / 5 | 200 / 1 |',
  '| `BENCH_OVERHEAD_VARIANTS` | all | labels of the success-path variants to time (plain axios always) |',
  '| `BENCH_OUTAGE_ROUNDS` / `_RATE` / `_SECONDS` / `_BASE_DELAY_MS` | 2 / 500 / 4 / 10 | 1 / 100 / 0.3 / 5 |',
  '| `BENCH_FAULT_ROUNDS` / `_RATE` / `_SECONDS` / `_RATIO` / `_BASE_DELAY_MS` | 3 / 300 / 3 / 0.1 / 10 | 1 / 100 / 0.3 / 0.1 / 5 |',
  '| `BENCH_CONTENTION_ROUNDS` / `_CLIENTS` / `_CAPACITY` / `_SERVICE_MS` / `_BASE_DELAY_MS` / `_RETRIES` | 3 / 100 / 5 / 20 / 10 / 30 | 1 / 20 / 5 / 2 / 5 / 30 |',
  '| `BENCH_MEMORY_ROUNDS` / `_REQUESTS` / `_CONCURRENCY` / `_PARALLEL` | 1 / 100000 / 100 / 2 | 1 / 1000 / 20 / 2 |',
  '| `BENCH_QUOTA_ROUNDS` / `_CLIENTS` / `_LIMIT` / `_WINDOW_MS` / `_SECONDS` / `_BASE_DELAY_MS` | 1 / 20 / 50 / 1000 / 8 / 10 | 1 / 20 / 50 / 1000 / 1 / 10 |',
  '| `BENCH_BREAKER_ROUNDS` / `_RATE` / `_UP_S` / `_DOWN_S` / `_RECOVERED_S` / `_DOWN_DELAY_MS` | 1 / 100 / 1 / 4 / 3 / 50 | 1 / 100 / 0.2 / 0.8 / 0.5 / 20 |',
  '| `BENCH_BREAKER_BASE_DELAY_MS` / `_BREAK_MS` / `_MAX_BREAK_MS` / `_COST_ROUNDS` / `_COST_REQUESTS` | 10 / 1000 / 2000 / 15 / 2000 | 5 / 200 / 400 / 2 / 200 |',
  '| `BENCH_TAIL_ROUNDS` / `_RATE` / `_SECONDS` / `_SLOW_RATIO` / `_SLOW_MS` / `_FAST_MS` / `_HEDGE_DELAY_MS` | 1 / 100 / 20 / 0.02 / 400 / 5 / 20 | 1 / 100 / 1 / 0.02 / 400 / 5 / 20 |',
].join('\n');

async function main(): Promise<void> {
  const facts = machineFacts();
  console.log(`axios-resilience bench${CONFIG.smoke ? ' (smoke)' : ''}`);
  for (const [key, value] of Object.entries(facts)) console.log(`  ${key}: ${value}`);
  const names = (Object.keys(SCENARIOS) as Array<keyof typeof SCENARIOS>).filter(
    (name) => CONFIG.only.length === 0 || CONFIG.only.includes(name),
  );
  const reports: ScenarioReport[] = [];
  const started = nowMs();
  for (const name of names) {
    const t0 = nowMs();
    console.log(`\n== ${name}`);
    const report = await SCENARIOS[name](CONFIG);
    reports.push(report);
    console.log(report.markdown);
    console.log(`(${name}: ${((nowMs() - t0) / 1000).toFixed(1)} s)`);
  }
  const totalS = ((nowMs() - started) / 1000).toFixed(0);
  // Bundle sizes are measured from dist/, as users get the package.
  const sizes = await measureSizes().then(
    sizeTable,
    (error: unknown) => `Not measured (run \`npm run build\` first): ${String(error)}`,
  );
  console.log(`\n== bundle size\n${sizes}`);

  mkdirSync(CONFIG.outDir, { recursive: true });
  for (const report of reports) writeFileSync(path.join(CONFIG.outDir, `${report.id}.svg`), report.svg);
  const md = [
    '# Benchmark results',
    '',
    `Produced by \`npm run bench\`${CONFIG.smoke ? ' -- --smoke (tiny counts: not meaningful)' : ''} in ${totalS} s on ${new Date().toISOString().slice(0, 10)}.`,
    'Every contender ran on the same machine in the same run: plain axios, axios-retry 4.5, retry-axios 4.0 and',
    'axios-resilience (imported from `../src/index.js`; "ours" in the tables). Servers run in a separate Node process on',
    '127.0.0.1.',
    '',
    '## Machine',
    '',
    ...Object.entries(facts).map(([key, value]) => `- ${key}: ${value}`),
    '',
    '## Headline',
    '',
    '| figure | axios-resilience |',
    '|---|---:|',
    ...reports.flatMap((r) => r.headline.map(([label, value]) => `| ${label} | ${value} |`)),
    '',
    ...reports.flatMap((r) => [`## ${r.title}`, '', `![${r.title}](${r.id}.svg)`, '', r.markdown, '']),
    '## Bundle size',
    '',
    'What each import adds to a browser bundle (`npm run size`: esbuild, minified, axios external, gzip -9):',
    '',
    sizes,
    '',
    '## Scaling up',
    '',
    'Every count is an environment variable (also listed at the top of `bench/run.ts`):',
    '',
    ENV_DOC,
    '',
  ].join('\n');
  // Formatted as `npm run lint` (prettier --check) expects, since results.md is committed.
  const prettier = await import('prettier');
  writeFileSync(path.join(CONFIG.outDir, 'results.md'), await prettier.format(md, { parser: 'markdown' }));
  console.log(
    `\nwrote ${path.join(CONFIG.outDir, 'results.md')} and ${reports.length} SVG(s) in ${totalS} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
