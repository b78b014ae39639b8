import os from 'node:os';
import path from 'node:path';

/** `--smoke` or BENCH_SMOKE=1: every scenario with tiny counts, results written to a temp dir. */
export const SMOKE = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

function envNumber(name: string, full: number, smoke: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return SMOKE ? smoke : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number, got ${raw}`);
  return value;
}

/** Every knob of the bench, read once from the environment (see the list at the top of run.ts). */
export const CONFIG = {
  smoke: SMOKE,
  only: (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  outDir: process.env.BENCH_OUT ?? (SMOKE ? path.join(os.tmpdir(), 'axios-resilience-bench') : __dirname),
  overhead: {
    rounds: envNumber('BENCH_OVERHEAD_ROUNDS', 40, 3),
    requests: envNumber('BENCH_OVERHEAD_REQUESTS', 3_000, 200),
    retryRounds: envNumber('BENCH_OVERHEAD_RETRY_ROUNDS', 7, 1),
    retryRequests: envNumber('BENCH_OVERHEAD_RETRY_REQUESTS', 500, 50),
    concurrency: envNumber('BENCH_OVERHEAD_CONCURRENCY', 64, 8),
    allocRequests: envNumber('BENCH_OVERHEAD_ALLOC_REQUESTS', 2_000, 200),
    allocRepeats: envNumber('BENCH_OVERHEAD_ALLOC_REPEATS', 5, 1),
    /** Labels of the success-path variants to time (plain axios always runs); empty: all. */
    variants: (process.env.BENCH_OVERHEAD_VARIANTS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  },
  outage: {
    rounds: envNumber('BENCH_OUTAGE_ROUNDS', 2, 1),
    rate: envNumber('BENCH_OUTAGE_RATE', 500, 100),
    seconds: envNumber('BENCH_OUTAGE_SECONDS', 4, 0.3),
    baseDelayMs: envNumber('BENCH_OUTAGE_BASE_DELAY_MS', 10, 5),
  },
  faults: {
    rounds: envNumber('BENCH_FAULT_ROUNDS', 3, 1),
    rate: envNumber('BENCH_FAULT_RATE', 300, 100),
    seconds: envNumber('BENCH_FAULT_SECONDS', 3, 0.3),
    failRatio: envNumber('BENCH_FAULT_RATIO', 0.1, 0.1),
    baseDelayMs: envNumber('BENCH_FAULT_BASE_DELAY_MS', 10, 5),
  },
  contention: {
    rounds: envNumber('BENCH_CONTENTION_ROUNDS', 3, 1),
    clients: envNumber('BENCH_CONTENTION_CLIENTS', 100, 20),
    capacity: envNumber('BENCH_CONTENTION_CAPACITY', 5, 5),
    serviceMs: envNumber('BENCH_CONTENTION_SERVICE_MS', 20, 2),
    baseDelayMs: envNumber('BENCH_CONTENTION_BASE_DELAY_MS', 10, 5),
    retries: envNumber('BENCH_CONTENTION_RETRIES', 30, 30),
  },
  memory: {
    rounds: envNumber('BENCH_MEMORY_ROUNDS', 1, 1),
    /** Child processes run at once (each measures only its own heap). */
    parallel: envNumber('BENCH_MEMORY_PARALLEL', 2, 2),
    requests: envNumber('BENCH_MEMORY_REQUESTS', 100_000, 1_000),
    concurrency: envNumber('BENCH_MEMORY_CONCURRENCY', 100, 20),
  },
} as const;

export type BenchConfig = typeof CONFIG;

/** The machine's facts, printed with every run: numbers mean little without them. */
export function machineFacts(): Record<string, string> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: String(cpus.length),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    'load average (1 min) at start': os.loadavg()[0]!.toFixed(2),
  };
}
