import http from 'node:http';
import type { BenchConfig } from '../config.js';
import { describeTuning, makeClient, ours, plainVariants, type Tuning, type Variant } from '../contenders.js';
import { openLoop } from '../load.js';
import { startBenchServer } from '../serve.js';
import { fmt, median, percentile, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

const QUANTILES = [50, 95, 99, 99.9] as const;

interface Sample {
  p50: number;
  p95: number;
  p99: number;
  'p99.9': number;
  max: number;
  hitsPerRequest: number;
  aborted: number;
  failed: number;
}

export async function tail(config: BenchConfig): Promise<ScenarioReport> {
  const t = config.tail;
  const tuning: Tuning = { baseDelayMs: 10 };
  const UNHEDGED = 'ours, no hedge';
  const AUTO = "ours, hedge 'auto'";
  const FIXED = `ours, hedge ${t.hedgeDelayMs} ms`;
  const variants: Variant[] = [
    ...plainVariants(tuning)
      .filter((v) => v.name !== 'retry-axios')
      .map((v) => (v.name === 'axios-resilience' ? { ...v, label: UNHEDGED } : v)),
    ours(AUTO, tuning, { hedge: { delayMs: 'auto' } }),
    ours(FIXED, tuning, { hedge: { delayMs: t.hedgeDelayMs } }),
  ];
  const server = await startBenchServer();
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  try {
    for (let round = 0; round < t.rounds; round++) {
      for (const v of roundRobin(variants, round)) {
        const agent = new http.Agent({ keepAlive: true });
        const client = makeClient(v.name, { baseURL: server.url, httpAgent: agent }, v.tuning);
        // Same seed for every contender of a round: the same draws, in order of arrival.
        await server.setMode({
          mode: 'tail',
          slowRatio: t.slowRatio,
          slowMs: t.slowMs,
          fastMs: t.fastMs,
          seed: round + 1,
        });
        const result = await openLoop(() => client.get('/tail'), t.rate, t.seconds);
        const stats = await server.stats();
        agent.destroy();
        const all = [...result.okMs, ...result.failedMs];
        samples.get(v.label)!.push({
          p50: percentile(all, 50),
          p95: percentile(all, 95),
          p99: percentile(all, 99),
          'p99.9': percentile(all, 99.9),
          max: Math.max(...all),
          hitsPerRequest: stats.hits / result.requests,
          aborted: stats.aborted,
          failed: result.failed,
        });
      }
    }
  } finally {
    await server.close();
  }
  const m = (label: string, key: keyof Sample): number => median(samples.get(label)!.map((s) => s[key]));
  const requests = Math.round(t.rate * t.seconds);
  const best = [AUTO, FIXED].reduce((a, b) => (m(a, 'p99') <= m(b, 'p99') ? a : b));
  const lines = [
    `A server process answers each request after ${t.fastMs} ms, or after ${t.slowMs} ms with probability ${t.slowRatio} (drawn`,
    `independently per request, seeded: the same draws for every contender of a round). GETs at ${t.rate}/s for ${t.seconds} s`,
    `(${requests} requests, open loop); latency per logical request; median of ${t.rounds} round(s), round-robin order.`,
    `With ${requests} requests, p99.9 rests on the slowest ${Math.max(1, Math.round(requests * 0.001))} sample(s).`,
    '',
    '| contender | p50 (ms) | p95 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | server hits / request | copies aborted (server) | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...variants.map(
      (v) =>
        `| ${v.label} | ${QUANTILES.map((q) => fmt(m(v.label, `p${q}` as keyof Sample), 1)).join(' | ')} | ${fmt(m(v.label, 'max'), 1)} | ${fmt(m(v.label, 'hitsPerRequest'), 3)} | ${fmt(m(v.label, 'aborted'), 0)} | ${fmt(m(v.label, 'failed'), 0)} |`,
    ),
    '',
    `Goal (issue 12): p99 ≤ 0.1× the unhedged p99 with ≤ 1.08 server hits per request. This run: ${best} p99 is`,
    `${fmt(m(best, 'p99') / m(UNHEDGED, 'p99'), 3)}× the unhedged p99, at ${fmt(m(best, 'hitsPerRequest'), 3)} hits per request.`,
    '',
    'Configured: ' +
      variants.map((v) => `**${v.label}**: ${describeTuning(v.name, v.tuning)}`).join('; ') +
      '.',
    'axios-retry cannot hedge: it is the baseline.',
  ];
  const svg = barChart(
    `Tail: ${100 * t.slowRatio}% of requests take ${t.slowMs} ms, ${t.rate} req/s`,
    [
      {
        title: 'p99 latency (ms; lower is better)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'p99'),
          text: `${fmt(m(v.label, 'p99'), 1)} ms`,
        })),
      },
      {
        title: 'p99.9 latency (ms)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'p99.9'),
          text: `${fmt(m(v.label, 'p99.9'), 1)} ms`,
        })),
      },
      {
        title: 'Server hits per request',
        reference: { value: 1.08, label: 'goal 1.08' },
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'hitsPerRequest'),
          text: fmt(m(v.label, 'hitsPerRequest'), 3),
        })),
      },
    ],
    `median of ${t.rounds} round(s); node ${process.version}`,
  );
  return {
    id: 'tail',
    title: `8. Tail latency (${100 * t.slowRatio}% of requests take ${t.slowMs} ms)`,
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `tail: p99 with hedging, best of 'auto' / ${t.hedgeDelayMs} ms (unhedged: ${fmt(m(UNHEDGED, 'p99'), 1)} ms; goal ≤ 0.1×)`,
        `${fmt(m(best, 'p99'), 1)} ms (${fmt(m(best, 'p99') / m(UNHEDGED, 'p99'), 3)}×)`,
      ],
      ['tail: server hits per request with that hedge (goal ≤ 1.08)', fmt(m(best, 'hitsPerRequest'), 3)],
    ],
  };
}
