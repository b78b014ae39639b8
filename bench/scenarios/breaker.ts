import http from 'node:http';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { isCircuitOpenError, type CircuitStateChange } from '../../src/index.js';
import { BENCH_ID, memoryAdapter } from '../adapter.js';
import type { BenchConfig } from '../config.js';
import { describeTuning, makeClient, ours, plainVariants, type Tuning, type Variant } from '../contenders.js';
import { closedLoop, openLoopCalls } from '../load.js';
import { startBenchServer } from '../serve.js';
import { fmt, median, nowMs, percentile, roundRobin, sleepMs } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

interface Sample {
  downHits: number;
  downHitsPerRequest: number;
  /** Attempts sent while down after the circuit first opened, per break (the breaker only). */
  hitsPerBreak: number;
  breaks: number;
  /** Median latency of calls started while down (they fail, or succeed after the recovery). */
  downP50: number;
  downP99: number;
  /** From the server coming back to the start of the last call that still failed. */
  noticeMs: number;
  failedAfterRecovery: number;
}

const httpAdapter = axios.getAdapter('http');

interface Cost {
  /** µs per rejected call, median over rounds. */
  us: number;
  vsSuccess: { median: number; p25: number; p75: number };
  vsFailure: { median: number; p25: number; p75: number };
}

const summary = (values: number[]): Cost['vsSuccess'] => ({
  median: median(values),
  p25: percentile(values, 25),
  p75: percentile(values, 75),
});

/**
 * In memory, one at a time: a call rejected by an open circuit against a plain axios success and
 * a plain axios failing call (a 503), rotated each round; medians of the per-round ratios.
 */
async function rejectionCost(rounds: number, requests: number): Promise<Cost> {
  const mapsWere = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false); // tsx's source maps would tax every `new Error`
  try {
    let seq = 0; // a new id per call: memoryAdapter(true) fails the first attempt of each id
    const get = (client: AxiosInstance) => (): Promise<unknown> =>
      client.get('/x', { headers: { [BENCH_ID]: String(seq++) } });
    const plainOk = get(makeClient('axios', { adapter: memoryAdapter(false) }, { baseDelayMs: 0 }));
    const plainFail = get(makeClient('axios', { adapter: memoryAdapter(true) }, { baseDelayMs: 0 }));
    const open = get(
      makeClient(
        'axios-resilience',
        { adapter: memoryAdapter(true) },
        // A breaker that opens on the first failures and stays open for the whole measurement.
        {
          baseDelayMs: 0,
          ours: {
            retries: 0,
            circuitBreaker: {
              minimumThroughput: 2,
              breakDurationMs: 3_600_000,
              maxBreakDurationMs: 3_600_000,
            },
          },
        },
      ),
    );
    for (let i = 0; i < 5; i++) await open().catch(() => undefined);
    let rejected = 0;
    const contenders = {
      open: () =>
        open().catch((error: unknown) => {
          if (isCircuitOpenError(error)) rejected += 1;
        }),
      ok: plainOk,
      fail: () => plainFail().catch(() => undefined),
    };
    for (const send of Object.values(contenders)) await closedLoop(send, requests, 1); // warm-up
    if (rejected !== requests)
      throw new Error(`the circuit was not open for every call (${rejected} of ${requests})`);
    const vsSuccess: number[] = [];
    const vsFailure: number[] = [];
    const openUs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const times: Record<string, number> = {};
      for (const [name, send] of roundRobin(Object.entries(contenders), round)) {
        const t0 = nowMs();
        await closedLoop(send, requests, 1);
        times[name] = ((nowMs() - t0) * 1000) / requests;
      }
      vsSuccess.push(times.open! / times.ok!);
      vsFailure.push(times.open! / times.fail!);
      openUs.push(times.open!);
    }
    return { us: median(openUs), vsSuccess: summary(vsSuccess), vsFailure: summary(vsFailure) };
  } finally {
    process.setSourceMapsEnabled(mapsWere);
  }
}

export async function breaker(config: BenchConfig): Promise<ScenarioReport> {
  const b = config.breaker;
  const tuning: Tuning = { baseDelayMs: b.baseDelayMs };
  const breakerOptions = { breakDurationMs: b.breakDurationMs, maxBreakDurationMs: b.maxBreakDurationMs };
  const WITH = 'ours + circuitBreaker';
  const transitions: Array<CircuitStateChange & { at: number }> = [];
  const variants: Variant[] = [
    ...plainVariants(tuning).map((v) =>
      v.name === 'axios-resilience' ? { ...v, label: 'ours, no breaker' } : v,
    ),
    ours(WITH, tuning, {
      circuitBreaker: {
        ...breakerOptions,
        onStateChange: (change) => transitions.push({ ...change, at: Date.now() }),
      },
    }),
  ];
  const server = await startBenchServer();
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  try {
    for (let round = 0; round < b.rounds; round++) {
      for (const v of roundRobin(variants, round)) {
        transitions.length = 0;
        const agent = new http.Agent({ keepAlive: true });
        // Every attempt the client sends passes here (ours wraps this adapter and calls it only to send).
        const sentAt: number[] = [];
        const adapter: AxiosAdapter = (cfg) => {
          sentAt.push(Date.now());
          return httpAdapter(cfg);
        };
        const client = makeClient(v.name, { baseURL: server.url, httpAgent: agent, adapter }, v.tuning);
        await server.setMode({ mode: 'up' });
        const t0 = Date.now();
        const loop = openLoopCalls(() => client.get('/upstream'), b.rate, b.upS + b.downS + b.recoveredS);
        await sleepMs(b.upS * 1000);
        await server.setMode({ mode: 'down', delayMs: b.downDelayMs });
        const downAt = Date.now();
        await sleepMs(b.downS * 1000);
        const down = await server.stats();
        await server.setMode({ mode: 'up' });
        const upAt = Date.now();
        const calls = await loop;
        agent.destroy();
        const opened = transitions.find((t) => t.to === 'open' && t.at >= t0);
        const breaks = transitions.filter((t) => t.to === 'open' && t.at < upAt).length;
        // Counted where the client sends: on a loaded machine an attempt sent just before the open can
        // reach the server after it.
        const afterOpen = opened ? sentAt.filter((t) => t > opened.at && t < upAt).length : Number.NaN;
        const during = calls.filter((c) => c.start >= downAt && c.start < upAt);
        const failedLate = calls.filter((c) => c.start >= upAt && !c.ok);
        samples.get(v.label)!.push({
          downHits: down.hits,
          downHitsPerRequest: down.hits / Math.max(1, during.length),
          hitsPerBreak: breaks > 0 ? afterOpen / breaks : Number.NaN,
          breaks,
          downP50: percentile(
            during.map((c) => c.ms),
            50,
          ),
          downP99: percentile(
            during.map((c) => c.ms),
            99,
          ),
          noticeMs: failedLate.length === 0 ? 0 : Math.max(...failedLate.map((c) => c.start)) - upAt,
          failedAfterRecovery: failedLate.length,
        });
      }
    }
  } finally {
    await server.close();
  }
  const cost = await rejectionCost(b.costRounds, b.costRequests);
  const m = (label: string, key: keyof Sample): number => median(samples.get(label)!.map((s) => s[key]));
  const lines = [
    `Calls at ${b.rate}/s (open loop) to a server process that is up for ${b.upS} s, down for ${b.downS} s (a 503 after`,
    `${b.downDelayMs} ms to everything) and up again for ${b.recoveredS} s. Server hits are counted by the server while down.`,
    `Median of ${b.rounds} round(s), round-robin order. The breaker here: \`${JSON.stringify(breakerOptions)}\`, the rest`,
    'default (failure ratio 0.5 over 10 s, minimum throughput 10, one half-open probe).',
    '',
    '| contender | server hits while down | hits / call while down | attempts per break after opening | breaks | latency while down p50 (ms) | p99 (ms) | recovery noticed after (ms) | calls failed after recovery |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...variants.map(
      (v) =>
        `| ${v.label} | ${fmt(m(v.label, 'downHits'), 0)} | ${fmt(m(v.label, 'downHitsPerRequest'))} | ${fmt(m(v.label, 'hitsPerBreak'), 1)} | ${fmt(m(v.label, 'breaks'), 0)} | ${fmt(m(v.label, 'downP50'), 1)} | ${fmt(m(v.label, 'downP99'), 1)} | ${fmt(m(v.label, 'noticeMs'), 0)} | ${fmt(m(v.label, 'failedAfterRecovery'), 0)} |`,
    ),
    '',
    '"Attempts per break after opening": attempts the client sent while down after the first open (counted at the',
    'adapter ours wraps), over the breaks while down; the goal is at most `halfOpenProbes` (1) per break.',
    '"Recovery noticed after": from the server coming back to the start of the last call that still failed.',
    '',
    `Cost of a rejected call (in memory, one at a time, circuit open, \`retries: 0\`): ${fmt(cost.us, 1)} µs;`,
    `${fmt(cost.vsSuccess.median, 3)}× a plain axios in-memory success (IQR ${fmt(cost.vsSuccess.p25, 3)}–${fmt(cost.vsSuccess.p75, 3)}),`,
    `${fmt(cost.vsFailure.median, 3)}× a plain axios in-memory failing call, a 503 (IQR ${fmt(cost.vsFailure.p25, 3)}–${fmt(cost.vsFailure.p75, 3)}).`,
    `Medians of ${b.costRounds} per-round ratios of ${b.costRequests} calls each, rotated order. Goal (issue 10): < 1.0× the`,
    'success, failing fast cheaper than succeeding.',
    '',
    'Configured: ' +
      variants.map((v) => `**${v.label}**: ${describeTuning(v.name, v.tuning)}`).join('; ') +
      '.',
  ];
  const svg = barChart(
    `Breaker: upstream down for ${b.downS} s, ${b.rate} calls/s`,
    [
      {
        title: 'Server hits while down (lower is kinder to a struggling upstream)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'downHits'),
          text: fmt(m(v.label, 'downHits'), 0),
        })),
      },
      {
        title: 'Callers’ median latency while down (ms)',
        bars: variants.map((v) => ({
          label: v.label,
          value: m(v.label, 'downP50'),
          text: `${fmt(m(v.label, 'downP50'), 1)} ms`,
        })),
      },
    ],
    `median of ${b.rounds} round(s); break ${b.breakDurationMs} ms (max ${b.maxBreakDurationMs}); node ${process.version}`,
  );
  return {
    id: 'breaker',
    title: `7. Circuit breaker (upstream down for ${b.downS} s)`,
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        `breaker: server hits while down (ours without: ${fmt(m('ours, no breaker', 'downHits'), 0)}; plain axios: ${fmt(m('axios', 'downHits'), 0)})`,
        fmt(m(WITH, 'downHits'), 0),
      ],
      ['breaker: attempts sent per break after opening (goal ≤ 1)', fmt(m(WITH, 'hitsPerBreak'), 1)],
      [
        'breaker: a rejected call (× a plain axios in-memory success; goal < 1.0)',
        `${fmt(cost.vsSuccess.median, 3)} (IQR ${fmt(cost.vsSuccess.p25, 3)}–${fmt(cost.vsSuccess.p75, 3)}); × a plain failing call: ${fmt(cost.vsFailure.median, 3)}`,
      ],
    ],
  };
}
