import http from 'node:http';
import type { BenchConfig } from '../config.js';
import { CONTENDERS, describeTuning, makeClient, type ContenderName, type Tuning } from '../contenders.js';
import { openLoop } from '../load.js';
import { startBenchServer } from '../serve.js';
import { fmt, median, percentile, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

interface Sample {
  success: number;
  amplification: number;
  p50: number;
  p99: number;
}

export async function faults(config: BenchConfig): Promise<ScenarioReport> {
  const f = config.faults;
  const tuning: Tuning = { baseDelayMs: f.baseDelayMs };
  const server = await startBenchServer();
  const samples = new Map<ContenderName, Sample[]>(CONTENDERS.map((n) => [n, []]));
  try {
    for (let round = 0; round < f.rounds; round++) {
      for (const name of roundRobin(CONTENDERS, round)) {
        // The same seed for every contender in a round: they meet the same sequence of faults.
        await server.setMode({ mode: 'flaky', failRatio: f.failRatio, seed: round + 1 });
        const agent = new http.Agent({ keepAlive: true });
        const client = makeClient(name, { baseURL: server.url, httpAgent: agent }, tuning);
        const result = await openLoop(() => client.get('/flaky'), f.rate, f.seconds);
        const { hits } = await server.stats();
        agent.destroy();
        const all = [...result.okMs, ...result.failedMs];
        samples.get(name)!.push({
          success: result.ok / result.requests,
          amplification: hits / result.requests,
          p50: percentile(all, 50),
          p99: percentile(all, 99),
        });
      }
    }
  } finally {
    await server.close();
  }
  const m = (name: ContenderName, key: keyof Sample): number => median(samples.get(name)!.map((s) => s[key]));
  const pct = (v: number): string => `${fmt(v * 100, 1)}%`;
  const lines = [
    `A server process fails ${pct(f.failRatio)} of attempts (seeded random; half answered 503, half a connection reset with`,
    `nothing answered). GETs at ${f.rate} req/s for ${f.seconds} s, open loop; median of ${f.rounds} rounds, round-robin order.`,
    'Latency is per logical request (all attempts and waits), over every request.',
    '',
    '| contender | success rate | server hits / request | p50 (ms) | p99 (ms) |',
    '|---|---:|---:|---:|---:|',
    ...CONTENDERS.map(
      (n) =>
        `| ${n} | ${pct(m(n, 'success'))} | ${fmt(m(n, 'amplification'))} | ${fmt(m(n, 'p50'), 1)} | ${fmt(m(n, 'p99'), 1)} |`,
    ),
    '',
    'Configured: ' + CONTENDERS.map((n) => `**${n}**: ${describeTuning(n, tuning)}`).join('; ') + '.',
  ];
  const svg = barChart(
    `Transient faults: ${pct(f.failRatio)} of attempts fail (503 or reset), ${f.rate} req/s`,
    [
      {
        title: 'Success rate (%)',
        bars: CONTENDERS.map((n) => ({ label: n, value: m(n, 'success') * 100, text: pct(m(n, 'success')) })),
      },
      {
        title: 'Server hits per logical request',
        reference: { value: 1, label: '1.0' },
        bars: CONTENDERS.map((n) => ({ label: n, value: m(n, 'amplification') })),
      },
      {
        title: 'Latency p99 (ms)',
        bars: CONTENDERS.map((n) => ({
          label: n,
          value: m(n, 'p99'),
          text: `${fmt(m(n, 'p99'), 1)} ms (p50 ${fmt(m(n, 'p50'), 1)})`,
        })),
      },
    ],
    `median of ${f.rounds} rounds; base delay ${f.baseDelayMs} ms for every contender; node ${process.version}`,
  );
  return {
    id: 'faults',
    title: `3. Transient faults (${pct(f.failRatio)} of attempts fail)`,
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `success rate with ${pct(f.failRatio)} faulty attempts (plain axios: ${pct(m('axios', 'success'))})`,
        pct(m('axios-resilience', 'success')),
      ],
      ['amplification with transient faults (hits / request)', fmt(m('axios-resilience', 'amplification'))],
    ],
  };
}
