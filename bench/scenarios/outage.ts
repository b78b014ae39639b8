import http from 'node:http';
import type { BenchConfig } from '../config.js';
import { CONTENDERS, describeTuning, makeClient, type ContenderName, type Tuning } from '../contenders.js';
import { openLoop } from '../load.js';
import { startBenchServer } from '../serve.js';
import { fmt, median, percentile, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

interface Sample {
  amplification: number;
  p50: number;
  p99: number;
}

export async function outage(config: BenchConfig): Promise<ScenarioReport> {
  const o = config.outage;
  const tuning: Tuning = { baseDelayMs: o.baseDelayMs };
  const server = await startBenchServer();
  const samples = new Map<ContenderName, Sample[]>(CONTENDERS.map((n) => [n, []]));
  try {
    for (let round = 0; round < o.rounds; round++) {
      for (const name of roundRobin(CONTENDERS, round)) {
        await server.setMode({ mode: 'down' });
        const agent = new http.Agent({ keepAlive: true });
        const client = makeClient(name, { baseURL: server.url, httpAgent: agent }, tuning);
        const result = await openLoop(() => client.get('/outage'), o.rate, o.seconds);
        const { hits } = await server.stats();
        agent.destroy();
        samples.get(name)!.push({
          amplification: hits / result.requests,
          p50: percentile(result.failedMs, 50),
          p99: percentile(result.failedMs, 99),
        });
      }
    }
  } finally {
    await server.close();
  }
  const m = (name: ContenderName, key: keyof Sample): number => median(samples.get(name)!.map((s) => s[key]));
  const requests = Math.round(o.rate * o.seconds);
  const budgetCap = 1 + (0.2 * requests + 10 * 10) / requests;
  const lines = [
    `A server process answers 503 (no \`Retry-After\`) to every request. Each contender sends GETs at ${o.rate} req/s for`,
    `${o.seconds} s (${requests} logical requests, open loop), median of ${o.rounds} rounds, contenders in round-robin order.`,
    '',
    '| contender | server hits / request | time to failure p50 (ms) | p99 (ms) |',
    '|---|---:|---:|---:|',
    ...CONTENDERS.map(
      (n) => `| ${n} | ${fmt(m(n, 'amplification'))} | ${fmt(m(n, 'p50'), 1)} | ${fmt(m(n, 'p99'), 1)} |`,
    ),
    '',
    'Configured: ' + CONTENDERS.map((n) => `**${n}**: ${describeTuning(n, tuning)}`).join('; ') + '.',
    '',
    `Our budget: retries in the last 10 s < 10/s · 10 s + 0.2 · requests. This run (${o.seconds} s) is shorter than the`,
    `window, so the whole reserve of 100 retries is spent within it: the bound is 1 + (100 + 0.2 · ${requests}) / ${requests} = ${fmt(budgetCap)}.`,
    `A steady outage longer than the window tends to 1 + 0.2 + 10 / rate = ${fmt(1.2 + 10 / o.rate)} hits per request at ${o.rate} req/s`,
    '(`BENCH_OUTAGE_SECONDS=20` shows it). The others retry every request: 1 + retries.',
    '',
    `Time to failure includes queueing inside the client: retrying every request at ${o.rate} req/s means ${4 * o.rate} attempts/s`,
    'from one event loop, which can saturate it on a small machine (see the load average above). The waits alone are',
    `${2 * o.baseDelayMs} + ${4 * o.baseDelayMs} + ${8 * o.baseDelayMs} ms (+ up to 20%) for axios-retry, ${o.baseDelayMs / 2} + ${(3 * o.baseDelayMs) / 2} + ${(7 * o.baseDelayMs) / 2} ms for retry-axios, and`,
    `${o.baseDelayMs} + ${2 * o.baseDelayMs} + ${4 * o.baseDelayMs} ms (+ up to 50%) for ours while the budget lasts; once it is spent ours fails on the first 503.`,
  ];
  const svg = barChart(
    `Outage: every request answered 503, ${o.rate} req/s for ${o.seconds} s`,
    [
      {
        title: 'Server hits per logical request (lower is kinder to the server)',
        reference: { value: 1, label: '1.0' },
        bars: CONTENDERS.map((n) => ({ label: n, value: m(n, 'amplification') })),
      },
      {
        title: 'Time to failure, p50 (ms)',
        bars: CONTENDERS.map((n) => ({ label: n, value: m(n, 'p50'), text: `${fmt(m(n, 'p50'), 1)} ms` })),
      },
    ],
    `median of ${o.rounds} rounds; base delay ${o.baseDelayMs} ms for every contender; node ${process.version}`,
  );
  return {
    id: 'outage',
    title: '2. Outage (server answers 503 to everything)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `outage amplification, ${o.rate} req/s for ${o.seconds} s (hits / request; axios-retry: ${fmt(m('axios-retry', 'amplification'))})`,
        fmt(m('axios-resilience', 'amplification')),
      ],
    ],
  };
}
