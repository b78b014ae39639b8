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
    rounds: envNumber('BENCH_OVERHEAD_ROUNDS', 100, 3),
    requests: envNumber('BENCH_OVERHEAD_REQUESTS', 1_000, 200),
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
  quota: {
    rounds: envNumber('BENCH_QUOTA_ROUNDS', 1, 1),
    clients: envNumber('BENCH_QUOTA_CLIENTS', 20, 20),
    limit: envNumber('BENCH_QUOTA_LIMIT', 50, 50),
    windowMs: envNumber('BENCH_QUOTA_WINDOW_MS', 1000, 1000),
    seconds: envNumber('BENCH_QUOTA_SECONDS', 8, 1),
    baseDelayMs: envNumber('BENCH_QUOTA_BASE_DELAY_MS', 10, 10),
  },
  breaker: {
    rounds: envNumber('BENCH_BREAKER_ROUNDS', 1, 1),
    rate: envNumber('BENCH_BREAKER_RATE', 100, 100),
    /** Up, then down, then up again, in seconds. */
    upS: envNumber('BENCH_BREAKER_UP_S', 1, 0.2),
    downS: envNumber('BENCH_BREAKER_DOWN_S', 4, 0.8),
    recoveredS: envNumber('BENCH_BREAKER_RECOVERED_S', 3, 0.5),
    /** How long the server takes to answer its 503 while down. */
    downDelayMs: envNumber('BENCH_BREAKER_DOWN_DELAY_MS', 50, 20),
    baseDelayMs: envNumber('BENCH_BREAKER_BASE_DELAY_MS', 10, 5),
    breakDurationMs: envNumber('BENCH_BREAKER_BREAK_MS', 1000, 200),
    maxBreakDurationMs: envNumber('BENCH_BREAKER_MAX_BREAK_MS', 2000, 400),
    /** In-memory: rejected calls against plain axios successes. */
    costRounds: envNumber('BENCH_BREAKER_COST_ROUNDS', 15, 2),
    costRequests: envNumber('BENCH_BREAKER_COST_REQUESTS', 2000, 200),
  },
  tail: {
    rounds: envNumber('BENCH_TAIL_ROUNDS', 1, 1),
    rate: envNumber('BENCH_TAIL_RATE', 100, 100),
    seconds: envNumber('BENCH_TAIL_SECONDS', 20, 1),
    slowRatio: envNumber('BENCH_TAIL_SLOW_RATIO', 0.02, 0.02),
    slowMs: envNumber('BENCH_TAIL_SLOW_MS', 400, 400),
    fastMs: envNumber('BENCH_TAIL_FAST_MS', 5, 5),
    hedgeDelayMs: envNumber('BENCH_TAIL_HEDGE_DELAY_MS', 20, 20),
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
