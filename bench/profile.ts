/**
 * `npm run bench:profile` — where the success path spends its time. Sends requests through the
 * in-memory adapter (one at a time, after a warm-up) with V8's sampling CPU profiler running only
 * around the measured requests (the inspector's `Profiler`, the same profiler as
 * `node --cpu-prof`), writes the `.cpuprofile` (open it in Chrome DevTools → Performance), and
 * prints the functions with the most self time: all of them, then those of our `src/`, with
 * lines mapped back to the TypeScript sources.
 *
 *   npm run bench:profile                          ours, defaults
 *   npm run bench:profile -- --variant axios       plain axios (or any overhead variant's label)
 *   npm run bench:profile -- --variant circuit-open   calls rejected by an open circuit
 *   BENCH_PROFILE_REQUESTS (200000)  BENCH_PROFILE_OUT (bench/.profile)  BENCH_PROFILE_TOP (25)
 *   BENCH_PROFILE_RUNS (3 processes per variant, alternating; figures are medians per function)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_ID, memoryAdapter } from './adapter.js';
import { makeClient } from './contenders.js';
import { closedLoop } from './load.js';
import { SUCCESS_VARIANTS } from './overhead-variants.js';
import { nowMs } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..');
/** `--variant circuit-open`: calls rejected by an open circuit (in memory), not successes. */
const CIRCUIT_OPEN = 'circuit-open';

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/** `file:///…/src/axios/plugin.ts:123` for a frame, the line mapped through tsx's source map. */
function where(frame: CallFrame): string {
  if (!frame.url) return '(native)';
  const file = frame.url.startsWith('file:') ? fileURLToPath(frame.url.split('?')[0]!) : frame.url;
  let line = frame.lineNumber + 1;
  const map = path.isAbsolute(file) ? findSourceMap(file) : undefined;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalLine?: number; originalSource?: string } | undefined;
  if (entry?.originalLine !== undefined) line = entry.originalLine + 1;
  const shown = file.startsWith(ROOT) ? path.relative(ROOT, file) : file.replace(/^.*node_modules\//, '');
  return `${shown}:${line}`;
}

interface Row {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

/** Self and total (inclusive) time per function, summed over the call tree. */
function summarise(profile: CpuProfile): { rows: Row[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Chrome's convention: sample i lasts until sample i + 1.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  const inclusive = new Map<number, number>();
  const walk = (id: number): number => {
    const node = byId.get(id)!;
    let sum = self.get(id) ?? 0;
    for (const child of node.children ?? []) sum += walk(child);
    inclusive.set(id, sum);
    return sum;
  };
  const root = profile.nodes[0]!;
  const totalMs = walk(root.id);
  const rows = new Map<string, Row>();
  // A function's total counts each call-tree path once: recursion into itself is not added twice.
  const addTotals = (id: number, open: Set<string>): void => {
    const node = byId.get(id)!;
    const f = node.callFrame;
    const key = `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
    let row = rows.get(key);
    if (!row) {
      row = { name: f.functionName || '(anonymous)', where: where(f), selfMs: 0, totalMs: 0 };
      rows.set(key, row);
    }
    row.selfMs += self.get(id) ?? 0;
    const first = !open.has(key);
    if (first) {
      row.totalMs += inclusive.get(id) ?? 0;
      open.add(key);
    }
    for (const child of node.children ?? []) addTotals(child, open);
    if (first) open.delete(key);
  };
  addTotals(root.id, new Set());
  return { rows: [...rows.values()], totalMs };
}

function table(rows: Row[], totalMs: number, perRequest: (ms: number) => string): string {
  return [
    '| # | function | where | self ms | self % | self µs / request | total ms |',
    '|---:|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (r, i) =>
        `| ${i + 1} | \`${r.name}\` | ${r.where} | ${r.selfMs.toFixed(1)} | ${((100 * r.selfMs) / totalMs).toFixed(1)} | ${perRequest(r.selfMs)} | ${r.totalMs.toFixed(1)} |`,
    ),
  ].join('\n');
}

interface ChildResult {
  label: string;
  requests: number;
  wallMs: number;
  totalMs: number;
  rows: Row[];
  file: string;
  /** Bytes allocated per request by function (sampling heap profiler, collected objects included). */
  allocRows: AllocRow[];
  allocRequests: number;
}

interface AllocRow {
  name: string;
  where: string;
  bytes: number;
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

function summariseHeap(head: HeapNode): AllocRow[] {
  const rows = new Map<string, AllocRow>();
  const walk = (node: HeapNode): void => {
    const f = node.callFrame;
    const key = `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { name: f.functionName || '(anonymous)', where: where(f), bytes: 0 }));
    row.bytes += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(head);
  return [...rows.values()];
}

/** A client whose circuit is open for good: every call is rejected unsent. */
function openCircuit(): (i: number) => Promise<unknown> {
  const client = makeClient(
    'axios-resilience',
    { adapter: memoryAdapter(true) },
    {
      baseDelayMs: 0,
      ours: {
        retries: 0,
        circuitBreaker: { minimumThroughput: 2, breakDurationMs: 3_600_000, maxBreakDurationMs: 3_600_000 },
      },
    },
  );
  return (i) => client.get('/item', { headers: { [BENCH_ID]: `open-${i}` } }).catch(() => undefined);
}

/** In a child process: profile one variant and hand back the summary as JSON. */
async function profileChild(label: string, requests: number, outDir: string): Promise<void> {
  let send: (i: number) => Promise<unknown>;
  if (label === CIRCUIT_OPEN) {
    send = openCircuit();
  } else {
    const variant = SUCCESS_VARIANTS.find((v) => v.label === label);
    if (!variant)
      throw new TypeError(
        `unknown variant ${label} (known: ${[...SUCCESS_VARIANTS.map((v) => v.label), CIRCUIT_OPEN].join(', ')})`,
      );
    const client = makeClient(variant.name, { adapter: memoryAdapter(false) }, variant.tuning);
    send = (i) => client.get('/item', { headers: { [BENCH_ID]: String(i) } });
  }
  // The source maps stay loaded (for the report) but are off while the requests run.
  process.setSourceMapsEnabled(false);
  await closedLoop(send, 20_000, 1); // warm-up: JIT

  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 50 }); // µs
  await post(session, 'Profiler.start');
  const t0 = nowMs();
  await closedLoop(send, requests, 1);
  const wallMs = nowMs() - t0;
  const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');

  // Where the bytes come from: every 128th byte or so sampled, objects already collected kept.
  const allocRequests = Math.min(requests, 50_000);
  await post(session, 'HeapProfiler.enable');
  await post(session, 'HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await closedLoop(send, allocRequests, 1);
  const heap = await post<{ profile: { head: HeapNode } }>(session, 'HeapProfiler.stopSampling');
  session.disconnect();

  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { rows, totalMs } = summarise(profile);
  const result: ChildResult = {
    label,
    requests,
    wallMs,
    totalMs,
    rows,
    file,
    allocRows: summariseHeap(heap.profile.head),
    allocRequests,
  };
  process.stdout.write(JSON.stringify(result));
}

function runChild(label: string, requests: number, outDir: string): ChildResult {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', label], {
    env: { ...process.env, BENCH_PROFILE_REQUESTS: String(requests), BENCH_PROFILE_OUT: outDir },
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout.toString()) as ChildResult;
}

const keyOf = (r: Row): string => `${r.name}|${r.where}`;

const mid = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
};

/** Several runs of one variant as one: the median per function (absent in a run: 0). */
function mergeRuns(results: ChildResult[]): ChildResult {
  const merge = <R extends { name: string; where: string }>(
    lists: R[][],
    fields: Array<keyof R & string>,
  ): R[] => {
    const byKey = new Map<string, R[]>();
    lists.forEach((list) => {
      for (const r of list) {
        const key = `${r.name}|${r.where}`;
        (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(r);
      }
    });
    return [...byKey.values()].map((rows) => {
      const out = { ...rows[0]! };
      for (const f of fields) {
        const values = rows.map((r) => r[f] as number);
        while (values.length < lists.length) values.push(0);
        (out as Record<string, unknown>)[f] = mid(values);
      }
      return out;
    });
  };
  // The same function can appear at several call-tree nodes of one run: sum them per run first.
  const sumRows = <R extends { name: string; where: string }>(
    rows: R[],
    fields: Array<keyof R & string>,
  ): R[] =>
    merge([rows], []).map((r) => {
      const same = rows.filter((x) => x.name === r.name && x.where === r.where);
      const out = { ...r };
      for (const f of fields)
        (out as Record<string, unknown>)[f] = same.reduce((sum, x) => sum + (x[f] as number), 0);
      return out;
    });
  return {
    ...results[results.length - 1]!,
    wallMs: mid(results.map((r) => r.wallMs)),
    totalMs: mid(results.map((r) => r.totalMs)),
    rows: merge(
      results.map((r) => sumRows(r.rows, ['selfMs', 'totalMs'])),
      ['selfMs', 'totalMs'],
    ),
    allocRows: merge(
      results.map((r) => sumRows(r.allocRows, ['bytes'])),
      ['bytes'],
    ),
  };
}

async function main(): Promise<void> {
  const requests = Number(process.env.BENCH_PROFILE_REQUESTS ?? 200_000);
  const outDir = process.env.BENCH_PROFILE_OUT ?? path.join(__dirname, '.profile');
  const child = argValue('--child');
  if (child !== undefined) return profileChild(child, requests, outDir);

  const label = argValue('--variant') ?? 'axios-resilience';
  const top = Number(process.env.BENCH_PROFILE_TOP ?? 25);
  // Each in its own process: axios's functions see only that contender's shapes. A few runs each,
  // alternating, merged by the median per function: one run alone is ±20% on a shared machine.
  const runs = Number(process.env.BENCH_PROFILE_RUNS ?? 3);
  const mine: ChildResult[] = [];
  const plains: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    mine.push(runChild(label, requests, outDir));
    plains.push(runChild('axios', requests, outDir));
  }
  const it = mergeRuns(mine);
  const plain = mergeRuns(plains);
  const perRequest = (ms: number): string => ((ms * 1000) / requests).toFixed(2);
  const bySelf = [...it.rows].sort((a, b) => b.selfMs - a.selfMs);
  const ours = bySelf.filter((r) => r.where.startsWith('src/'));
  const oursSelf = ours.reduce((sum, r) => sum + r.selfMs, 0);
  const byTotal = [...ours].sort((a, b) => b.totalMs - a.totalMs);
  // Self time per function against plain axios: what this contender makes axios (and V8) do more.
  const plainRows = new Map(plain.rows.map((r) => [keyOf(r), r]));
  const diff = it.rows
    .map((r) => ({ ...r, selfMs: r.selfMs - (plainRows.get(keyOf(r))?.selfMs ?? 0) }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  const plainAlloc = new Map(
    plain.allocRows.map((r) => [`${r.name}|${r.where}`, r.bytes / plain.allocRequests]),
  );
  const allocs = it.allocRows
    .map((r) => ({
      ...r,
      perRequest: r.bytes / it.allocRequests,
      plain: plainAlloc.get(`${r.name}|${r.where}`) ?? 0,
    }))
    .filter((r) => r.where.startsWith('src/') || r.perRequest - r.plain > 50)
    .sort((a, b) => b.perRequest - b.plain - (a.perRequest - a.plain))
    .slice(0, top);
  const bytesPer = (c: ChildResult): string =>
    (c.allocRows.reduce((sum, r) => sum + r.bytes, 0) / c.allocRequests).toFixed(0);
  const oursBytes =
    it.allocRows.filter((r) => r.where.startsWith('src/')).reduce((sum, r) => sum + r.bytes, 0) /
    it.allocRequests;
  const usPer = (c: ChildResult): string => ((c.wallMs * 1000) / c.requests).toFixed(2);
  const out = [
    `# CPU profile: ${label === CIRCUIT_OPEN ? 'calls rejected by an open circuit' : `${label}, success path`}, in-memory adapter`,
    '',
    `\`npm run bench:profile${label === 'axios-resilience' ? '' : ` -- --variant '${label}'`}\`: ${requests} requests one at a time after a`,
    'warm-up of 20000, in a process of its own, V8 sampling profiler (inspector `Profiler`, as `--cpu-prof`) every 50 µs',
    `around the measured requests only; plain axios the same way in another process; ${runs} runs of each, alternating,`,
    'and every figure below the median of the runs, function by function.',
    '',
    `- ${label}: ${it.wallMs.toFixed(0)} ms wall, ${usPer(it)} µs / request; plain axios: ${plain.wallMs.toFixed(0)} ms, ${usPer(plain)} µs / request`,
    `  (× ${(it.wallMs / plain.wallMs).toFixed(3)}, medians of ${runs} runs in separate processes: noisy; \`npm run bench\` has the robust ratio).`,
    `- Self time in our src/: ${oursSelf.toFixed(1)} ms (${((100 * oursSelf) / it.totalMs).toFixed(1)}% of samples, ${perRequest(oursSelf)} µs / request).`,
    `- Profiles: ${path.relative(process.cwd(), it.file)}, ${path.relative(process.cwd(), plain.file)} (Chrome DevTools → Performance → load).`,
    '',
    `## Top ${top} by self time (everything)`,
    '',
    table(bySelf.slice(0, top), it.totalMs, perRequest),
    '',
    `## Top ${top} of our src/ by self time`,
    '',
    table(ours.slice(0, top), it.totalMs, perRequest),
    '',
    `## Top ${top} of our src/ by total time (self + callees)`,
    '',
    table(byTotal.slice(0, top), it.totalMs, perRequest),
    '',
    `## Top ${top} by self time gained over plain axios (same function, same line)`,
    '',
    table(diff, it.totalMs, perRequest),
    '',
    `## Bytes allocated per request, by allocating function (sampling heap profiler, ${it.allocRequests} requests)`,
    '',
    `Total: ${bytesPer(it)} bytes / request; plain axios: ${bytesPer(plain)}. Our src/: ${oursBytes.toFixed(0)} bytes / request.`,
    '',
    '| # | function | where | bytes / request | plain axios | more than plain axios |',
    '|---:|---|---|---:|---:|---:|',
    ...allocs.map(
      (r, i) =>
        `| ${i + 1} | \`${r.name}\` | ${r.where} | ${r.perRequest.toFixed(0)} | ${r.plain.toFixed(0)} | ${(r.perRequest - r.plain).toFixed(0)} |`,
    ),
    '',
  ].join('\n');
  console.log(out);
  writeFileSync(path.join(outDir, `${label.replace(/[^a-z0-9]+/gi, '-')}.md`), out);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
