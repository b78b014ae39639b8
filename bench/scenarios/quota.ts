import http from 'node:http';
import type { BenchConfig } from '../config.js';
import { describeTuning, makeClient, ours, plainVariants, type Tuning, type Variant } from '../contenders.js';
import { startBenchServer } from '../serve.js';
import { callers } from '../load.js';
import { fmt, median, percentile, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

interface Sample {
  successesPerS: number;
  limited: number;
  hitsPerSuccess: number;
  p50: number;
  p99: number;
  failed: number;
}

export async function quota(config: BenchConfig): Promise<ScenarioReport> {
  const q = config.quota;
  const tuning: Tuning = { baseDelayMs: q.baseDelayMs };
  const variants: Variant[] = [
    ...plainVariants(tuning).filter((v) => v.name !== 'axios-resilience'),
    ours('ours, pacing on (default)', tuning, { pacing: true }),
    ours('ours, pacing off', tuning, { pacing: false }),
  ];
  const server = await startBenchServer();
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  try {
    for (let round = 0; round < q.rounds; round++) {
      for (const v of roundRobin(variants, round)) {
        const agent = new http.Agent({ keepAlive: true });
        const client = makeClient(v.name, { baseURL: server.url, httpAgent: agent }, v.tuning);
        // Start on a window boundary, so every contender meets the same windows.
        await new Promise((resolve) => setTimeout(resolve, q.windowMs - (Date.now() % q.windowMs)));
        await server.setMode({ mode: 'quota', limit: q.limit, windowMs: q.windowMs });
        const result = await callers(() => client.get('/quota'), q.clients, q.seconds);
        const stats = await server.stats();
        agent.destroy();
        const successes = result.okMs.length;
        samples.get(v.label)!.push({
          successesPerS: successes / (result.wallMs / 1000),
          limited: stats.limited,
          hitsPerSuccess: stats.hits / Math.max(1, successes),
          p50: percentile(result.okMs, 50),
          p99: percentile(result.okMs, 99),
          failed: result.failed,
        });
      }
    }
  } finally {
    await server.close();
  }
  const m = (label: string, key: keyof Sample): number => median(samples.get(label)!.map((s) => s[key]));
  const anchors = ['axios-retry', 'retry-axios'];
  const anchorRate = Math.min(...anchors.map((a) => m(a, 'successesPerS')));
  const anchor429 = Math.min(...anchors.map((a) => m(a, 'limited')));
  const paced = 'ours, pacing on (default)';
  const rateRatio = m(paced, 'successesPerS') / anchorRate;
  const limitedRatio = m(paced, 'limited') / anchor429;
  const limitPerS = (q.limit * 1000) / q.windowMs;
  const lines = [
    `A server process allows ${q.limit} requests per ${q.windowMs} ms window (fixed, clock-aligned) and answers 429 +`,
    '`Retry-After` (whole seconds) beyond it; every answer says `RateLimit: "quota";r=<left>;t=<seconds to reset>`',
    `(draft-10) and \`RateLimit-Policy\`. ${q.clients} callers share one instance, each sending its next GET as soon as the`,
    `last settles, for ${q.seconds} s (calls in flight at the end finish). Median of ${q.rounds} round(s), round-robin order;`,
    'each run starts on a window boundary. 429s and hits are counted by the server.',
    '',
    '| contender | successes / s | 429s received | server hits / success | calls failed | p50 of successes (ms) | p99 (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...variants.map(
      (v) =>
        `| ${v.label} | ${fmt(m(v.label, 'successesPerS'), 1)} | ${fmt(m(v.label, 'limited'), 0)} | ${fmt(m(v.label, 'hitsPerSuccess'))} | ${fmt(m(v.label, 'failed'), 0)} | ${fmt(m(v.label, 'p50'), 1)} | ${fmt(m(v.label, 'p99'), 1)} |`,
    ),
    '',
    `The limit is ${fmt(limitPerS, 0)} successes/s with zero 429s. Goal (issue 11): pacing on reaches at least 0.9× the`,
    `anchors' successes/s with at most 5% of their 429s. This run: ${fmt(rateRatio)}× the lower anchor's successes/s,`,
    `${fmt(100 * limitedRatio, 1)}% of the fewer 429s of the two anchors.`,
    '',
    'Configured: ' +
      variants.map((v) => `**${v.label}**: ${describeTuning(v.name, v.tuning)}`).join('; ') +
      '. axios-retry retries 429 by default and its `exponentialDelay` waits at least `Retry-After`; retry-axios retries',
    '429 and honours `Retry-After`; plain axios fails on the first 429.',
  ];
  const svg = barChart(
    `Quota: ${q.limit} requests per ${q.windowMs} ms, ${q.clients} callers, ${q.seconds} s`,
    [
      {
        title: 'Successes per second (higher is better)',
        reference: { value: limitPerS, label: `limit ${fmt(limitPerS, 0)}/s` },
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'successesPerS'),
          text: fmt(m(v.label, 'successesPerS'), 1),
        })),
      },
      {
        title: '429s received (lower is kinder to the server)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'limited'),
          text: fmt(m(v.label, 'limited'), 0),
        })),
      },
      {
        title: 'p99 latency of successes (ms)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'p99'),
          text: `${fmt(m(v.label, 'p99'), 1)} ms`,
        })),
      },
    ],
    `median of ${q.rounds} round(s); node ${process.version}`,
  );
  return {
    id: 'quota',
    title: `6. Quota (${q.limit} requests per ${q.windowMs} ms, ${q.clients} callers)`,
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `quota ${fmt(limitPerS, 0)}/s: successes/s with pacing (× the anchors'; goal ≥ 0.9)`,
        `${fmt(m(paced, 'successesPerS'), 1)} (${fmt(rateRatio)}×)`,
      ],
      [
        `quota: 429s received with pacing (share of the anchors'; goal ≤ 5%)`,
        `${fmt(m(paced, 'limited'), 0)} (${fmt(100 * limitedRatio, 1)}%)`,
      ],
    ],
  };
}
