import type { AxiosInstance } from 'axios';
import { BENCH_ID, memoryAdapter } from '../adapter.js';
import type { BenchConfig } from '../config.js';
import {
  CONTENDERS,
  describeTuning,
  handLoop,
  makeClient,
  type ContenderName,
  type Tuning,
} from '../contenders.js';
import { closedLoop } from '../load.js';
import { fmt, median, nowMs, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

interface Case {
  key: string;
  title: string;
  failFirst: boolean;
  concurrency: number;
  requests: number;
}

const SUCCESS: Tuning = { baseDelayMs: 0 };
// Every request retries once here, far past any budget: the budget is off to time the retry path.
const RETRY: Tuning = { baseDelayMs: 0, ours: { retryBudget: false } };

function label(name: ContenderName, failFirst: boolean): string {
  return name === 'axios' && failFirst ? 'axios + hand-written loop' : name;
}

interface Timing {
  /** Wall-clock µs per logical request. */
  wall: number;
  /** CPU µs (user + system) per logical request: less disturbed by other processes on the machine. */
  cpu: number;
}

/** One timed run. */
async function timeRun(name: ContenderName, c: Case): Promise<Timing> {
  const client: AxiosInstance = makeClient(
    name,
    { adapter: memoryAdapter(c.failFirst) },
    c.failFirst ? RETRY : SUCCESS,
  );
  const loop = handLoop(client);
  const send =
    name === 'axios' && c.failFirst
      ? (i: number) => loop('/item', { [BENCH_ID]: String(i) })
      : (i: number) => client.get('/item', { headers: { [BENCH_ID]: String(i) } });
  const start = nowMs();
  const cpu0 = process.cpuUsage();
  await closedLoop(send, c.requests, c.concurrency);
  const cpu = process.cpuUsage(cpu0);
  return { wall: ((nowMs() - start) * 1000) / c.requests, cpu: (cpu.user + cpu.system) / c.requests };
}

export async function overhead(config: BenchConfig): Promise<ScenarioReport> {
  const o = config.overhead;
  const cases: Case[] = [
    {
      key: 'a-seq',
      title: '(a) success, one at a time',
      failFirst: false,
      concurrency: 1,
      requests: o.requests,
    },
    {
      key: 'a-conc',
      title: `(a) success, ${o.concurrency} in flight`,
      failFirst: false,
      concurrency: o.concurrency,
      requests: o.requests,
    },
    {
      key: 'b-seq',
      title: '(b) 503 then 200, one at a time',
      failFirst: true,
      concurrency: 1,
      requests: o.retryRequests,
    },
    {
      key: 'b-conc',
      title: `(b) 503 then 200, ${o.concurrency} in flight`,
      failFirst: true,
      concurrency: o.concurrency,
      requests: o.retryRequests,
    },
  ];
  // Warm-up (JIT), not recorded.
  for (const c of cases)
    for (const name of CONTENDERS) await timeRun(name, { ...c, requests: Math.ceil(c.requests / 5) });

  // `${case}|${name}|wall` (or cpu) → µs per round, and → ratio to the baseline of the same round
  const perRound = new Map<string, number[]>();
  const ratioRounds = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number): void => {
    (map.get(key) ?? map.set(key, []).get(key)!).push(value);
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const c of cases) {
      const times = new Map<ContenderName, Timing>();
      for (const name of roundRobin(CONTENDERS, round)) times.set(name, await timeRun(name, c));
      for (const name of CONTENDERS) {
        for (const kind of ['wall', 'cpu'] as const) {
          const key = `${c.key}|${name}|${kind}`;
          push(perRound, key, times.get(name)![kind]);
          push(ratioRounds, key, times.get(name)![kind] / times.get('axios')![kind]);
        }
      }
    }
  }
  const us = (c: Case, n: ContenderName, kind: keyof Timing = 'wall'): number =>
    median(perRound.get(`${c.key}|${n}|${kind}`)!);
  const ratio = (c: Case, n: ContenderName, kind: keyof Timing = 'wall'): number =>
    median(ratioRounds.get(`${c.key}|${n}|${kind}`)!);
  const plainOf = (c: Case): Case => cases.find((x) => !x.failFirst && x.concurrency === c.concurrency)!;

  const lines: string[] = [];
  lines.push(
    'An in-memory axios `adapter` answers at once, so only the client-side work is timed. Each run makes a fresh instance;',
    `median of ${o.rounds} rounds, contenders in round-robin order per round, after one untimed warm-up run each.`,
    `Requests per run: ${o.requests} for (a), ${o.retryRequests} for (b).`,
    'Ratios are medians of the per-round ratios. Wall time is what a caller waits; CPU time (this process, user + system)',
    'is shown too because it is less disturbed by other work on a shared machine.',
    '',
    '| case | contender | µs / request | × plain axios | × hand-written loop | CPU µs / request | CPU × baseline |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  for (const c of cases) {
    for (const name of CONTENDERS) {
      const plain = us(plainOf(c), 'axios');
      const vsPlain = c.failFirst ? us(c, name) / plain : ratio(c, name);
      const vsLoop = c.failFirst ? fmt(ratio(c, name)) : '';
      lines.push(
        `| ${c.title} | ${label(name, c.failFirst)} | ${fmt(us(c, name), 1)} | ${fmt(vsPlain)} | ${vsLoop} | ${fmt(us(c, name, 'cpu'), 1)} | ${fmt(ratio(c, name, 'cpu'))} |`,
      );
    }
  }
  lines.push(
    '',
    'Configured: every contender retries with a 0 ms delay. ' +
      CONTENDERS.map((n) => `**${n}**: ${describeTuning(n, RETRY)}`).join('; ') +
      '. On the success path ours runs with its defaults except `baseDelayMs: 0` (budget on).',
    '',
    'Note: axios-retry and retry-axios always wait on a `setTimeout`, even for 0 ms (Node makes that at least 1 ms), so their',
    '"one at a time" retry figures are dominated by that timer; axios-resilience skips the timer for a zero wait.',
    'The "in flight" rows overlap those timers and show the CPU cost.',
  );

  const svg = barChart(
    'Overhead per request, in-memory adapter (× plain axios; lower is better)',
    cases.map((c) => ({
      title: c.failFirst ? `${c.title}: × hand-written loop` : `${c.title}: × plain axios`,
      reference: { value: 1, label: '1.0' },
      bars: CONTENDERS.map((n) => ({
        label: label(n, c.failFirst),
        value: ratio(c, n),
        text: `${fmt(ratio(c, n))}× (${fmt(us(c, n), 1)} µs; CPU ${fmt(ratio(c, n, 'cpu'))}×)`,
      })),
    })),
    `median of ${o.rounds} rounds; node ${process.version}`,
  );
  const seq = cases[0]!;
  const conc = cases[1]!;
  return {
    id: 'overhead',
    title: '1. Overhead (in-memory adapter)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        'success-path overhead, one at a time (× plain axios; wall / CPU)',
        `${fmt(ratio(seq, 'axios-resilience'))}× / ${fmt(ratio(seq, 'axios-resilience', 'cpu'))}×`,
      ],
      [
        `success-path overhead, ${o.concurrency} in flight (× plain axios; wall / CPU)`,
        `${fmt(ratio(conc, 'axios-resilience'))}× / ${fmt(ratio(conc, 'axios-resilience', 'cpu'))}×`,
      ],
      [
        'retry path, 503 then 200, in flight (× hand-written loop; wall / CPU)',
        `${fmt(ratio(cases[3]!, 'axios-resilience'))}× / ${fmt(ratio(cases[3]!, 'axios-resilience', 'cpu'))}×`,
      ],
    ],
  };
}
