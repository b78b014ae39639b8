/**
 * Fleet: N processes at a low rate each against one always-503 server, with per-process state
 * and with the Redis store (one redis-server started here); and the success path's cost with the
 * Redis store as a ratio to the in-memory store. Run as a scenario of `npm run bench`; this file is
 * also the worker process (`node --import tsx fleet.ts <json>`).
 *
 * Environment: BENCH_FLEET_PROCESSES (8) BENCH_FLEET_RATE (20 req/s each) BENCH_FLEET_SECONDS (6)
 * BENCH_FLEET_ROUNDS (1) BENCH_FLEET_REQUESTS (20000 for the success path) REDIS_SERVER (redis-server).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { createResilientAxios } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { startRedisServer, type RedisServer } from '../../__tests__/helpers/redis-server.js';
import { memoryAdapter } from '../adapter.js';
import { SMOKE, type BenchConfig } from '../config.js';
import { fmt, median } from '../stats.js';
import { barChart } from '../svg.js';
import type { ScenarioReport } from './types.js';

function knob(name: string, full: number, smoke: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (SMOKE ? smoke : full) : Number(raw);
  if (!(value > 0)) throw new TypeError(`${name} must be a positive number, got ${raw}`);
  return value;
}

const FLEET = {
  processes: knob('BENCH_FLEET_PROCESSES', 8, 2),
  rate: knob('BENCH_FLEET_RATE', 20, 20),
  seconds: knob('BENCH_FLEET_SECONDS', 6, 0.5),
  rounds: knob('BENCH_FLEET_ROUNDS', 1, 1),
  requests: knob('BENCH_FLEET_REQUESTS', 20_000, 300),
};

/** The same options in both modes; a 2 s budget window, so a short run reaches the steady state. */
const OPTIONS = {
  retries: 3,
  baseDelayMs: 10,
  retryBudget: { ratio: 0.2, minPerSecond: 10, windowMs: 2000 },
};

interface WorkerJob {
  redisUrl: string;
  prefix: string;
  shared: boolean;
  url: string;
  rate: number;
  seconds: number;
}

/** One process of the fleet: waits for "go", sends `rate`/s for `seconds` (open loop), reports. */
async function worker(job: WorkerJob): Promise<void> {
  const redis = await createClient({ url: job.redisUrl, disableOfflineQueue: true }).connect();
  redis.on('error', () => undefined);
  const store = job.shared ? createRedisStore(redis, { prefix: job.prefix, timeoutMs: 200 }) : undefined;
  const api = createResilientAxios({ ...OPTIONS, ...(store ? { store } : {}), axios: { baseURL: job.url } });
  process.stdout.write('ready\n');
  const input = createInterface({ input: process.stdin });
  await new Promise((resolve) => input.once('line', resolve));
  input.close();
  process.stdin.destroy();
  const total = Math.round(job.rate * job.seconds);
  const started = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    calls.push(api.get('/').catch(() => undefined));
  }
  await Promise.all(calls);
  await store?.close();
  redis.destroy();
  // Keep-alive sockets and timers must not keep the fleet waiting: exit once the report is out.
  process.stdout.write(`${JSON.stringify(api.resilience.stats())}\n`, () => process.exit(0));
}

/** An HTTP server that answers 503 to everything and counts. */
async function alwaysDown(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    res.writeHead(503, { 'content-length': 0 });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs the fleet once; server hits per logical request. */
async function runFleet(redis: RedisServer, shared: boolean, round: number): Promise<number> {
  const log = (what: string): void => {
    if (process.env.BENCH_FLEET_DEBUG)
      process.stderr.write(`fleet ${shared ? 'shared' : 'local'}: ${what}\n`);
  };
  const server = await alwaysDown();
  const job: Omit<WorkerJob, 'url'> & { url: string } = {
    redisUrl: redis.url,
    prefix: `bench-fleet-${round}-${shared}`,
    shared,
    url: server.url,
    rate: FLEET.rate,
    seconds: FLEET.seconds,
  };
  const children = Array.from({ length: FLEET.processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', __filename, JSON.stringify(job)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  const lines = children.map((child) => createInterface({ input: child.stdout }));
  const next = (i: number): Promise<string> => new Promise((resolve) => lines[i]!.once('line', resolve));
  await Promise.all(children.map((_, i) => next(i)));
  log('ready');
  const reports = children.map((_, i) => next(i));
  for (const child of children) child.stdin.write('go\n');
  const stats = (await Promise.all(reports)).map((line) => JSON.parse(line) as { requests: number });
  log('reported');
  await Promise.all(exits);
  await server.close();
  const requests = stats.reduce((sum, s) => sum + s.requests, 0);
  return server.hits() / requests;
}

/** Time per successful request, µs, with the in-memory store or the Redis store. */
async function successPath(redisUrl: string | undefined): Promise<number> {
  const redis = redisUrl
    ? await createClient({ url: redisUrl, disableOfflineQueue: true }).connect()
    : undefined;
  const store = redis ? createRedisStore(redis, { prefix: 'bench-success' }) : undefined;
  const api = createResilientAxios({
    circuitBreaker: true,
    ...(store ? { store } : {}),
    axios: { adapter: memoryAdapter(false), baseURL: 'http://bench.invalid' },
  });
  for (let i = 0; i < 200; i++) await api.get('/');
  const started = performance.now();
  for (let i = 0; i < FLEET.requests; i++) await api.get('/');
  const us = ((performance.now() - started) * 1000) / FLEET.requests;
  await store?.close();
  redis?.destroy();
  return us;
}

export async function fleet(_config: BenchConfig): Promise<ScenarioReport> {
  const redis = await startRedisServer();
  const local: number[] = [];
  const shared: number[] = [];
  const memoryUs: number[] = [];
  const redisUs: number[] = [];
  try {
    for (let round = 0; round < FLEET.rounds; round++) {
      local.push(await runFleet(redis, false, round));
      shared.push(await runFleet(redis, true, round));
    }
    for (let round = 0; round < 5; round++) {
      memoryUs.push(await successPath(undefined));
      redisUs.push(await successPath(redis.url));
    }
  } finally {
    await redis.stop();
  }
  const [l, s, m, r] = [median(local), median(shared), median(memoryUs), median(redisUs)];
  const fleetRate = FLEET.processes * FLEET.rate;
  const lines = [
    `${FLEET.processes} processes, each sending ${FLEET.rate} GET/s (open loop) for ${FLEET.seconds} s to one server that answers 503`,
    `to everything; options \`${JSON.stringify(OPTIONS)}\` in both runs, median of ${FLEET.rounds} round(s).`,
    'Per-process: each process has its own budget. Shared: the Redis store (node-redis, one local redis-server).',
    '',
    '| state | server hits / logical request | steady-state bound |',
    '|---|---:|---:|',
    `| per process | ${fmt(l)} | 1 + 0.2 + 10 / ${FLEET.rate} = ${fmt(1.2 + 10 / FLEET.rate)} |`,
    `| shared (Redis) | ${fmt(s)} | 1 + 0.2 + 10 / ${fleetRate} = ${fmt(1.2 + 10 / fleetRate)} |`,
    '',
    'The first window adds the reserve (10/s · 2 s) once per budget: once per process, or once for the fleet.',
    '',
    `Success path (in-memory adapter, \`circuitBreaker: true\`, sequential, ${FLEET.requests} requests, median of 5):`,
    `${fmt(m, 1)} µs per request with the in-memory store, ${fmt(r, 1)} µs with the Redis store: ratio ${fmt(r / m)}.`,
  ];
  const svg = barChart(
    `Fleet: ${FLEET.processes} processes × ${FLEET.rate} req/s against an always-503 server`,
    [
      {
        title: 'Server hits per logical request (lower is kinder to the server)',
        reference: { value: 1, label: '1.0' },
        bars: [
          { label: 'per process', value: l },
          { label: 'shared (Redis)', value: s },
        ],
      },
      {
        title: 'Success path, µs per request',
        bars: [
          { label: 'in-memory store', value: m, text: `${fmt(m, 1)} µs` },
          { label: 'Redis store', value: r, text: `${fmt(r, 1)} µs` },
        ],
      },
    ],
    `node ${process.version}; budget window 2 s`,
  );
  return {
    id: 'fleet',
    title: 'Fleet (budget shared through Redis)',
    markdown: lines.join('\n'),
    svg,
    headline: [
      [`fleet hits / request, ${FLEET.processes} processes (per-process: ${fmt(l)})`, fmt(s)],
      ['success path, Redis store / in-memory store', fmt(r / m)],
    ],
  };
}

if (require.main === module && process.argv[2] !== undefined) {
  worker(JSON.parse(process.argv[2]) as WorkerJob).catch((error: unknown) => {
    process.stderr.write(`fleet worker: ${String(error)}\n`);
    process.exit(1);
  });
}
