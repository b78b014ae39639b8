import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchConfig } from '../config.js';
import { describeTuning, type Variant } from '../contenders.js';
import type { AllocResult, OverheadJob, TimeCase, TimeResult } from '../overhead-run.js';
import { RETRY, RETRY_VARIANTS, SUCCESS_VARIANTS } from '../overhead-variants.js';
import { fmt, median, percentile } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'overhead-run.ts');
const OURS = 'axios-resilience';

async function child<T>(job: OverheadJob, nodeFlags: string[]): Promise<T> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', ...nodeFlags, '--import', 'tsx', SCRIPT, JSON.stringify(job)],
    { maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout) as T;
}

/** Per-round ratios `a / b` (both measured in the same round), summarised. */
interface Spread {
  median: number;
  p25: number;
  p75: number;
  p10: number;
  p90: number;
}

function spreadOf(values: readonly number[]): Spread {
  return {
    median: median(values),
    p25: percentile(values, 25),
    p75: percentile(values, 75),
    p10: percentile(values, 10),
    p90: percentile(values, 90),
  };
}

function perRoundRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]!);
}

const range = (s: Spread, lo: 'p25' | 'p10', hi: 'p75' | 'p90'): string => `${fmt(s[lo])}–${fmt(s[hi])}`;

export async function overhead(config: BenchConfig): Promise<ScenarioReport> {
  const o = config.overhead;
  const cases: Array<TimeCase & { title: string }> = [
    {
      key: 'a-seq',
      title: '(a) success, one at a time',
      failFirst: false,
      concurrency: 1,
      requests: o.requests,
      rounds: o.rounds,
    },
    {
      key: 'a-conc',
      title: `(a) success, ${o.concurrency} in flight`,
      failFirst: false,
      concurrency: o.concurrency,
      requests: o.requests,
      rounds: o.rounds,
    },
    {
      key: 'b-conc',
      title: `(b) 503 then 200, ${o.concurrency} in flight`,
      failFirst: true,
      concurrency: o.concurrency,
      requests: o.retryRequests,
      rounds: o.retryRounds,
    },
  ];
  const timing = await child<TimeResult>(
    { mode: 'time', cases: cases.map(({ title: _title, ...c }) => c), only: o.variants },
    [],
  );
  // A young generation of 128 MB: no scavenge inside a window of a few thousand requests.
  const allocs = await child<AllocResult>(
    { mode: 'alloc', requests: o.allocRequests, repeats: o.allocRepeats },
    ['--min-semi-space-size=128', '--max-semi-space-size=128'],
  );

  // A variant left out (BENCH_OVERHEAD_VARIANTS) has no rounds: its figures are n/a.
  const ratio = (key: string, label: string, base: string, kind: keyof TimeResult = 'wall'): Spread =>
    spreadOf(perRoundRatios(timing[kind][key]?.[label] ?? [], timing[kind][key]?.[base] ?? []));
  const us = (key: string, label: string): number => median(timing.wall[key]?.[label] ?? []);
  const timed = SUCCESS_VARIANTS.filter((v) => timing.wall['a-seq']?.[v.label] !== undefined);
  const bytes = (label: string): number => median(allocs[label] ?? []);
  const isOurs = (v: Variant): boolean => v.name === OURS;

  const lines: string[] = [];
  lines.push(
    'An in-memory axios `adapter` answers at once, so only the client-side work is timed. Everything runs in a child',
    '`node --expose-gc` process of its own (tsx source maps off), one long-lived instance per variant; two untimed',
    `warm-up passes of every variant; then ${o.rounds} rounds of ${o.requests} requests for (a) (${o.retryRounds} rounds of`,
    `${o.retryRequests} for (b)), the variants in an order rotated by one each round. A ratio is the **median of the`,
    'per-round ratios** (each variant against plain axios of the same round), with its spread across rounds:',
    'IQR (p25–p75) and p10–p90. Wall time is what a caller waits; CPU time (this process, user + system, GC and',
    'compiler threads included) is what the work costs, and barely moves when other processes load the machine:',
    "on a shared machine read the CPU ratio (the A/A row shows each one's noise floor). No `gc()` between runs: a forced",
    'full GC shrinks the young generation and inflates the next run (and every ratio) with extra scavenges.',
    '"axios (A/A control)" is plain axios timed a second time: its spread is the noise floor.',
    '',
  );
  for (const c of cases.filter((x) => !x.failFirst)) {
    lines.push(
      `### ${c.title}`,
      '',
      '| contender | µs / request | wall × plain axios | wall IQR | CPU × plain axios | CPU IQR | CPU p10–p90 | CPU × ours default (IQR) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const v of timed) {
      const wall = ratio(c.key, v.label, 'axios');
      const cpu = ratio(c.key, v.label, 'axios', 'cpu');
      const vsOurs =
        isOurs(v) && v.label !== OURS
          ? (() => {
              const r = ratio(c.key, v.label, OURS, 'cpu');
              return `${fmt(r.median, 3)} (${range(r, 'p25', 'p75')})`;
            })()
          : '';
      lines.push(
        `| ${v.label} | ${fmt(us(c.key, v.label), 1)} | ${fmt(wall.median, 3)} | ${range(wall, 'p25', 'p75')} | ${fmt(cpu.median, 3)} | ${range(cpu, 'p25', 'p75')} | ${range(cpu, 'p10', 'p90')} | ${vsOurs} |`,
      );
    }
    lines.push('');
  }
  const plainBytes = bytes('axios');
  lines.push(
    '### Allocations per successful request',
    '',
    `Child \`node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128\`: \`gc()\`, heap used, ${o.allocRequests}`,
    'requests one at a time, heap used again (a window in which a GC ran is redone with fewer requests). Median of',
    `${o.allocRepeats} repeat(s). Plain axios itself allocates most of it (config merges, \`AxiosHeaders\`, promises).`,
    '',
    '| contender | bytes / request | × plain axios | bytes over plain axios |',
    '|---|---:|---:|---:|',
    ...SUCCESS_VARIANTS.map(
      (v) =>
        `| ${v.label} | ${fmt(bytes(v.label), 0)} | ${fmt(bytes(v.label) / plainBytes, 3)} | ${fmt(bytes(v.label) - plainBytes, 0)} |`,
    ),
    '',
  );
  const retry = cases[2]!;
  const loop = 'axios';
  lines.push(
    `### ${retry.title}`,
    '',
    '| contender | µs / request | × hand-written loop | IQR | CPU × loop |',
    '|---|---:|---:|---:|---:|',
    ...RETRY_VARIANTS.map((v) => {
      const r = ratio(retry.key, v.label, loop);
      return `| ${v.name === 'axios' ? 'axios + hand-written loop' : v.label} | ${fmt(us(retry.key, v.label), 1)} | ${fmt(r.median)} | ${range(r, 'p25', 'p75')} | ${fmt(ratio(retry.key, v.label, loop, 'cpu').median)} |`;
    }),
    '',
    'Configured on the success path: every library with its defaults (ours: `baseDelayMs: 0`, budget on); the variants of',
    'ours add `circuitBreaker: true, pacing: true`; `hedge: { delayMs: 1000 }` (never reached in memory); `telemetry:',
    '{ startRequest: () => undefined }` (a sink with no SDK recording). On the retry path: ' +
      RETRY_VARIANTS.map((v) => `**${v.name}**: ${describeTuning(v.name, RETRY)}`).join('; ') +
      '. axios-retry and retry-axios always wait on a `setTimeout`, even for 0 ms.',
    '',
    'Profile of the success path: `npm run bench:profile` (see `bench/overhead-findings.md`).',
  );

  const seq = cases[0]!;
  const conc = cases[1]!;
  const svg = barChart(
    'Success-path overhead, in-memory adapter (× plain axios; lower is better)',
    [seq, conc].flatMap((c) =>
      (['cpu', 'wall'] as const).map((kind) => ({
        title: `${c.title}: ${kind === 'cpu' ? 'CPU' : 'wall'} time, median of per-round ratios`,
        reference: { value: 1, label: '1.0' },
        bars: timed.map((v) => {
          const r = ratio(c.key, v.label, 'axios', kind);
          return {
            label: v.label,
            value: r.median,
            text: `${fmt(r.median, 3)}× (IQR ${range(r, 'p25', 'p75')})`,
          };
        }),
      })),
    ),
    `${o.rounds} rounds of ${o.requests} requests, rotated order; node ${process.version}`,
  );
  const headlineRatio = (c: TimeCase, label: string, base = 'axios'): string => {
    const cpu = ratio(c.key, label, base, 'cpu');
    const wall = ratio(c.key, label, base);
    return `CPU ${fmt(cpu.median, 3)}× (IQR ${range(cpu, 'p25', 'p75')}); wall ${fmt(wall.median, 3)}× (IQR ${range(wall, 'p25', 'p75')})`;
  };
  return {
    id: 'overhead',
    title: '1. Overhead (in-memory adapter)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      ['success path, defaults, one at a time (× plain axios; goal ≤ 1.03)', headlineRatio(seq, OURS)],
      [`success path, defaults, ${o.concurrency} in flight (× plain axios)`, headlineRatio(conc, OURS)],
      [
        'success path, circuitBreaker + pacing, one at a time (× plain axios; goal ≤ 1.05)',
        headlineRatio(seq, 'ours + circuitBreaker + pacing'),
      ],
      [
        'success path, hedge configured, not triggered (× ours default; goal ≤ 1.03)',
        headlineRatio(seq, 'ours + hedge (not triggered)', OURS),
      ],
      [
        'success path, circuitBreaker + pacing (× ours default; issue 10: breaker ≤ 1.02)',
        headlineRatio(seq, 'ours + circuitBreaker + pacing', OURS),
      ],
      [
        'allocations per successful request, defaults (bytes over plain axios)',
        `${fmt(bytes(OURS) - plainBytes, 0)} (${fmt(bytes(OURS) / plainBytes, 3)}×)`,
      ],
      [
        `retry path, 503 then 200, ${o.concurrency} in flight (× hand-written loop)`,
        fmt(ratio(retry.key, OURS, loop).median),
      ],
    ],
  };
}
