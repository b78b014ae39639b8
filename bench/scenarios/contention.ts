import http from 'node:http';
import axios from 'axios';
import { attachResilience, type JitterMode } from '../../src/index.js';
import type { BenchConfig } from '../config.js';
import { startBenchServer } from '../serve.js';
import { fmt, median, nowMs, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

const MODES: readonly JitterMode[] = ['none', 0.5, 'full', 'equal', 'decorrelated'];
const modeLabel = (mode: JitterMode): string =>
  typeof mode === 'number' ? `${mode} (default)` : `'${mode}'`;

interface Sample {
  calls: number;
  ms: number;
  failed: number;
}

export async function contention(config: BenchConfig): Promise<ScenarioReport> {
  const c = config.contention;
  const server = await startBenchServer();
  const samples = new Map<JitterMode, Sample[]>(MODES.map((m) => [m, []]));
  try {
    for (let round = 0; round < c.rounds; round++) {
      for (const jitter of roundRobin(MODES, round)) {
        const agent = new http.Agent({ keepAlive: true });
        // Open every socket first (answers not counted), so the start is not spread out by connects.
        await server.setMode({ mode: 'down' });
        const warm = axios.create({ baseURL: server.url, httpAgent: agent, validateStatus: () => true });
        await Promise.all(Array.from({ length: c.clients }, () => warm.get('/warm')));
        await server.setMode({ mode: 'capacity', capacity: c.capacity, serviceMs: c.serviceMs });
        // One instance per client, as with 100 separate processes: each has its own budget.
        const clients = Array.from({ length: c.clients }, () => {
          const instance = axios.create({ baseURL: server.url, httpAgent: agent });
          attachResilience(instance, { jitter, baseDelayMs: c.baseDelayMs, retries: c.retries });
          return instance;
        });
        const start = nowMs();
        const outcomes = await Promise.allSettled(clients.map((client) => client.get('/work')));
        const ms = nowMs() - start;
        const { hits } = await server.stats();
        agent.destroy();
        samples
          .get(jitter)!
          .push({ calls: hits, ms, failed: outcomes.filter((o) => o.status === 'rejected').length });
      }
    }
  } finally {
    await server.close();
  }
  const m = (mode: JitterMode, key: keyof Sample): number => median(samples.get(mode)!.map((s) => s[key]));
  const lines = [
    `${c.clients} clients (one axios-resilience instance each) start one GET at the same moment; the server (its own`,
    `process) serves at most ${c.capacity} requests at once, each for ${c.serviceMs} ms, and answers 503 (no \`Retry-After\`)`,
    `beyond that. Every client retries until it succeeds (\`retries: ${c.retries}\`, \`baseDelayMs: ${c.baseDelayMs}\`, other options default).`,
    `Median of ${c.rounds} rounds, modes in round-robin order. The experiment of "Exponential Backoff and Jitter"`,
    '(AWS Architecture Blog, 2015): the work is fixed, so fewer calls means less wasted server capacity.',
    '',
    '| jitter | total calls | calls per client | time until all done (ms) | clients that failed |',
    '|---|---:|---:|---:|---:|',
    ...MODES.map(
      (mode) =>
        `| ${modeLabel(mode)} | ${fmt(m(mode, 'calls'), 0)} | ${fmt(m(mode, 'calls') / c.clients)} | ${fmt(m(mode, 'ms'), 0)} | ${fmt(m(mode, 'failed'), 0)} |`,
    ),
  ];
  const svg = barChart(
    `Contention: ${c.clients} clients, capacity ${c.capacity} in flight, by jitter mode`,
    [
      {
        title: 'Total calls to the server (lower is better)',
        reference: { value: c.clients, label: `${c.clients} (no waste)` },
        bars: MODES.map((mode) => ({
          label: modeLabel(mode),
          value: m(mode, 'calls'),
          text: fmt(m(mode, 'calls'), 0),
        })),
      },
      {
        title: 'Time until every client succeeded (ms)',
        bars: MODES.map((mode) => ({
          label: modeLabel(mode),
          value: m(mode, 'ms'),
          text: `${fmt(m(mode, 'ms'), 0)} ms`,
        })),
      },
    ],
    `median of ${c.rounds} rounds; base delay ${c.baseDelayMs} ms, service time ${c.serviceMs} ms; node ${process.version}`,
  );
  return {
    id: 'contention',
    title: '4. Contention (limited capacity, jitter modes)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `contention, ${c.clients} clients: time until all succeeded, default jitter 0.5 ('none': ${fmt(m('none', 'ms'), 0)} ms)`,
        `${fmt(m(0.5, 'ms'), 0)} ms`,
      ],
      [
        `contention: total calls, default jitter 0.5 ('none': ${fmt(m('none', 'calls'), 0)})`,
        fmt(m(0.5, 'calls'), 0),
      ],
    ],
  };
}
