import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchConfig } from '../config.js';
import { CONTENDERS, type ContenderName } from '../contenders.js';
import type { MemorySample } from '../memory.js';
import { fmt, median, roundRobin } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

const run = promisify(execFile);
const label = (name: ContenderName): string => (name === 'axios' ? 'axios + hand-written loop' : name);

export async function memory(config: BenchConfig): Promise<ScenarioReport> {
  const mem = config.memory;
  const samples = new Map<ContenderName, MemorySample[]>(CONTENDERS.map((n) => [n, []]));
  const jobs = Array.from({ length: mem.rounds }, (_, round) => roundRobin(CONTENDERS, round)).flat();
  const measure = async (name: ContenderName): Promise<void> => {
    const script = path.join(__dirname, '..', 'memory.ts');
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, name, String(mem.requests), String(mem.concurrency)],
      { maxBuffer: 1 << 20 },
    );
    samples.get(name)!.push(JSON.parse(stdout) as MemorySample);
  };
  // Each child measures only its own heap, so a few can run side by side.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await measure(jobs[next++]!);
  };
  await Promise.all(Array.from({ length: mem.parallel }, worker));
  const m = (name: ContenderName, key: keyof MemorySample | 'retained'): number =>
    median(samples.get(name)!.map((s) => (key === 'retained' ? s.afterMB - s.baselineMB : s[key])));
  const lines = [
    `Each contender in its own \`node --expose-gc --import tsx bench/memory.ts\` process: ${mem.requests} requests, ${mem.concurrency}`,
    'in flight, through the in-memory adapter; every request fails once with 503 and is retried (0 ms delay; our budget',
    `off). Heap used after two \`gc()\` calls, before and after; peak sampled every 1000 requests. Median of ${mem.rounds} round(s)`,
    `(${mem.parallel} child processes at a time; each measures only its own heap).`,
    '',
    'A retained figure at or below 0 means no growth (the baseline still held warm-up garbage that the final gc freed).',
    '',
    '| contender | heap before (MB) | heap after (MB) | retained (MB) | peak (MB) |',
    '|---|---:|---:|---:|---:|',
    ...CONTENDERS.map(
      (n) =>
        `| ${label(n)} | ${fmt(m(n, 'baselineMB'))} | ${fmt(m(n, 'afterMB'))} | ${fmt(m(n, 'retained'))} | ${fmt(m(n, 'peakMB'))} |`,
    ),
  ];
  const svg = barChart(
    `Memory: heap after ${mem.requests} retried requests`,
    [
      {
        title: 'Heap used after gc (MB)',
        bars: CONTENDERS.map((n) => ({
          label: label(n),
          value: m(n, 'afterMB'),
          text: `${fmt(m(n, 'afterMB'))} MB (retained ${fmt(m(n, 'retained'))})`,
        })),
      },
      {
        title: 'Peak heap used while running (MB)',
        bars: CONTENDERS.map((n) => ({
          label: label(n),
          value: m(n, 'peakMB'),
          text: `${fmt(m(n, 'peakMB'))} MB`,
        })),
      },
    ],
    `median of ${mem.rounds} rounds; ${mem.concurrency} in flight; node ${process.version}`,
  );
  return {
    id: 'memory',
    title: `5. Memory (heap after ${mem.requests} retried requests)`,
    markdown: lines.join('\n'),
    svg,
    headline: [
      [`heap retained after ${mem.requests} retried requests (MB)`, fmt(m('axios-resilience', 'retained'))],
    ],
  };
}
