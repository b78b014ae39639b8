import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import axios from 'axios';
import { attachResilience } from '../../src/index.js';
import { openTelemetry } from '../../src/otel.js';
import type { ResilienceTelemetry } from '../../src/telemetry/types.js';
import { BENCH_ID, memoryAdapter } from '../adapter.js';
import type { BenchConfig } from '../config.js';
import { closedLoop } from '../load.js';
import { fmt, median, nowMs, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

/** Spans are recorded and ended, then dropped: the exporter's cost is not ours to time. */
const DROP: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** A reader never collected: instruments aggregate in memory, nothing is exported. */
class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

type CaseName = 'none' | 'otel-no-sdk' | 'sdk-only' | 'otel-sdk';

const LABELS: Record<CaseName, string> = {
  none: 'no telemetry',
  'otel-no-sdk': 'openTelemetry(), no SDK registered',
  'sdk-only': 'no telemetry, SDK context manager on',
  'otel-sdk': 'openTelemetry(), recording SDK',
};
const CASES = Object.keys(LABELS) as CaseName[];

interface Timing {
  wall: number;
  cpu: number;
}

/** The SDK: providers given to `openTelemetry()`, and the AsyncLocalStorage context manager on. */
function startSdk(): { telemetry: ResilienceTelemetry; stop(): Promise<void> } {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [DROP] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  return {
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
    async stop() {
      context.disable();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

async function timeRun(name: CaseName, requests: number, concurrency: number): Promise<Timing> {
  const sdk = name === 'sdk-only' || name === 'otel-sdk' ? startSdk() : undefined;
  try {
    const instance = axios.create({ adapter: memoryAdapter(false), baseURL: 'http://bench.local' });
    const telemetry =
      name === 'otel-no-sdk' ? openTelemetry() : name === 'otel-sdk' ? sdk?.telemetry : undefined;
    attachResilience(instance, { baseDelayMs: 0, telemetry });
    const send = (i: number) => instance.get('/item', { headers: { [BENCH_ID]: String(i) } });
    const start = nowMs();
    const cpu0 = process.cpuUsage();
    await closedLoop(send, requests, concurrency);
    const cpu = process.cpuUsage(cpu0);
    return { wall: ((nowMs() - start) * 1000) / requests, cpu: (cpu.user + cpu.system) / requests };
  } finally {
    await sdk?.stop();
  }
}

/**
 * What `openTelemetry().startRequest()` costs with no SDK registered, in ns a call: all the sink
 * adds to a request then (it returns `undefined`, so nothing else runs). Too small for the
 * end-to-end timings to resolve, so timed alone.
 */
function startRequestNs(calls: number): number {
  const sink = openTelemetry();
  const info = {
    config: { headers: new axios.AxiosHeaders(), url: '/item' } as never,
    method: 'GET',
    url: 'http://bench.local/item',
    scope: 'http://bench.local:80',
  };
  let observed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (sink.startRequest(info) !== undefined) observed += 1;
  const ns = Number(process.hrtime.bigint() - start) / calls;
  if (observed !== 0) throw new Error('openTelemetry() observed a request with no SDK registered');
  return ns;
}

/**
 * The success path with `telemetry: openTelemetry()` and no SDK registered, against no telemetry
 * (the contract: no dearer); and with a recording SDK, what a request costs more.
 */
export async function telemetry(config: BenchConfig): Promise<ScenarioReport> {
  const o = config.overhead;
  const rounds = o.rounds * 2;
  const shapes = [
    { key: 'seq', title: 'success, one at a time', concurrency: 1 },
    { key: 'conc', title: `success, ${o.concurrency} in flight`, concurrency: o.concurrency },
  ];
  for (const shape of shapes)
    for (const name of CASES) await timeRun(name, Math.ceil(o.requests / 5), shape.concurrency);

  const perRound = new Map<string, number[]>();
  const push = (key: string, value: number): void => {
    (perRound.get(key) ?? perRound.set(key, []).get(key)!).push(value);
  };
  for (let round = 0; round < rounds; round++) {
    for (const shape of shapes) {
      const times = new Map<CaseName, Timing>();
      for (const name of roundRobin(CASES, round)) {
        times.set(name, await timeRun(name, o.requests, shape.concurrency));
      }
      const none = times.get('none')!;
      const sdkOnly = times.get('sdk-only')!;
      for (const name of CASES) {
        for (const kind of ['wall', 'cpu'] as const) {
          const t = times.get(name)![kind];
          push(`${shape.key}|${name}|${kind}`, t);
          push(`${shape.key}|${name}|${kind}|ratio`, t / none[kind]);
          push(`${shape.key}|${name}|${kind}|extra`, t - sdkOnly[kind]);
        }
      }
    }
  }
  const m = (key: string): number => median(perRound.get(key)!);
  startRequestNs(100_000);
  const noSdkNs = median(Array.from({ length: 5 }, () => startRequestNs(config.smoke ? 100_000 : 1_000_000)));
  const noSdkShare = noSdkNs / 1000 / m('seq|none|cpu');

  const lines = [
    'The in-memory adapter of the overhead scenario; success path, axios-resilience with its defaults and',
    '`baseDelayMs: 0`, with and without `telemetry: openTelemetry()`. "Recording SDK": a `BasicTracerProvider`',
    "(every span recorded and ended; a processor that drops it, so no exporter's cost) and a `MeterProvider` with a",
    'reader never collected, given to `openTelemetry()`, with the AsyncLocalStorage context manager on. The',
    '"context manager on" row is the SDK without our telemetry: what an app with the SDK pays anyway.',
    `Median of ${rounds} rounds of ${o.requests} requests, cases in rotating order per round, after a warm-up.`,
    '',
    '| case | telemetry | µs / request | × no telemetry | CPU µs / request | CPU × no telemetry | µs more than SDK alone |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const shape of shapes) {
    for (const name of CASES) {
      const k = `${shape.key}|${name}`;
      const extra = name === 'otel-sdk' ? fmt(m(`${k}|wall|extra`), 1) : '';
      lines.push(
        `| ${shape.title} | ${LABELS[name]} | ${fmt(m(`${k}|wall`), 1)} | ${fmt(m(`${k}|wall|ratio`), 3)} | ${fmt(m(`${k}|cpu`), 1)} | ${fmt(m(`${k}|cpu|ratio`), 3)} | ${extra} |`,
      );
    }
  }

  lines.push(
    '',
    `With no SDK registered, \`openTelemetry().startRequest()\` takes ${fmt(noSdkNs, 0)} ns a call (median of 5 runs of`,
    `${config.smoke ? '100,000' : '1,000,000'} calls) and returns \`undefined\`, so nothing else of the sink runs: ${fmt(noSdkShare * 100, 2)}% of the`,
    'CPU time of a request without telemetry above. The end-to-end rows cannot resolve a difference that small.',
  );

  const svg = barChart(
    'Telemetry on the success path (× no telemetry; lower is better)',
    shapes.map((shape) => ({
      title: shape.title,
      reference: { value: 1, label: '1.0' },
      bars: CASES.map((name) => ({
        label: LABELS[name],
        value: m(`${shape.key}|${name}|wall|ratio`),
        text: `${fmt(m(`${shape.key}|${name}|wall|ratio`), 3)}× (${fmt(m(`${shape.key}|${name}|wall`), 1)} µs)`,
      })),
    })),
    `median of ${rounds} rounds; node ${process.version}`,
  );
  const seq = 'seq';
  return {
    id: 'telemetry',
    title: 'Telemetry cost (in-memory adapter)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      [
        'openTelemetry() with no SDK, one at a time (× no telemetry; wall / CPU)',
        `${fmt(m(`${seq}|otel-no-sdk|wall|ratio`), 3)}× / ${fmt(m(`${seq}|otel-no-sdk|cpu|ratio`), 3)}×`,
      ],
      [
        'openTelemetry() with no SDK: startRequest cost (ns; % of a request)',
        `${fmt(noSdkNs, 0)} ns; ${fmt(noSdkShare * 100, 2)}%`,
      ],
      [
        'openTelemetry() with a recording SDK, one at a time (µs more per request than the SDK alone)',
        `${fmt(m(`${seq}|otel-sdk|wall|extra`), 1)} µs`,
      ],
    ],
  };
}
