/**
 * One replica of a fleet, as a child process: an instance made by `createResilientAxios`, with the
 * Redis store (or, `shared: false`, its own in-memory state), driven by the parent over stdin with
 * one JSON command a line, answering one JSON line each on stdout. Run with `node --import tsx`.
 */
import { createInterface } from 'node:readline';
import { createResilientAxios, getRetryState } from '../../src/index';
import { createRedisStore } from '../../src/redis';
import type { ResilienceStore } from '../../src/store/types';
import { connectClient, type ClientKind } from './redis-clients';

export interface WorkerConfig {
  redisUrl: string;
  client: ClientKind;
  prefix: string;
  /** false: no store, each process on its own (the comparison). */
  shared: boolean;
  flushMs: number;
  timeoutMs: number;
  baseURL: string;
  /** Options of createResilientAxios (JSON: no functions). The scope is the path. */
  options: Record<string, unknown>;
}

export type WorkerCommand =
  | { id: number; cmd: 'burst'; path: string; count: number; concurrency: number }
  | { id: number; cmd: 'loop'; path: string; durationMs: number; concurrency: number }
  | { id: number; cmd: 'state'; scope: string }
  | { id: number; cmd: 'report' }
  | { id: number; cmd: 'close' };

/** How one call ended. */
export interface CallOutcome {
  status?: number;
  code?: string;
  reason?: string;
  ms: number;
}

const config = JSON.parse(process.argv[2] as string) as WorkerConfig;
const log = { warn: [] as string[], info: [] as string[] };

async function main(): Promise<void> {
  const connected = await connectClient(config.client, config.redisUrl);
  let store: ResilienceStore | undefined;
  if (config.shared) {
    store = createRedisStore(connected.client as never, {
      prefix: config.prefix,
      flushMs: config.flushMs,
      timeoutMs: config.timeoutMs,
      logger: { warn: (m: string) => log.warn.push(m), info: (m: string) => log.info.push(m) },
    });
  }
  const api = createResilientAxios({
    ...config.options,
    ...(store ? { store } : {}),
    scope: (request) => (request.url ?? '/').split('?')[0] as string,
    axios: { baseURL: config.baseURL },
  });

  async function call(path: string): Promise<CallOutcome> {
    const started = performance.now();
    try {
      const response = await api.get(path);
      return { status: response.status, ms: performance.now() - started };
    } catch (error) {
      const failure = error as { response?: { status: number }; code?: string };
      const outcome: CallOutcome = { ms: performance.now() - started };
      if (failure.response) outcome.status = failure.response.status;
      if (failure.code) outcome.code = failure.code;
      const reason = getRetryState(error)?.reason;
      if (reason) outcome.reason = reason;
      return outcome;
    }
  }

  async function run(command: WorkerCommand): Promise<unknown> {
    switch (command.cmd) {
      case 'burst': {
        const outcomes: CallOutcome[] = [];
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < command.count) {
            next += 1;
            outcomes.push(await call(command.path));
          }
        };
        await Promise.all(Array.from({ length: command.concurrency }, lane));
        return { outcomes };
      }
      case 'loop': {
        const outcomes: CallOutcome[] = [];
        const end = performance.now() + command.durationMs;
        const lane = async (): Promise<void> => {
          while (performance.now() < end) outcomes.push(await call(command.path));
        };
        await Promise.all(Array.from({ length: command.concurrency }, lane));
        return { calls: outcomes.length, maxMs: Math.max(...outcomes.map((o) => o.ms)) };
      }
      case 'state':
        return { state: api.resilience.circuitState(command.scope) };
      case 'report':
        return { stats: api.resilience.stats(), warn: log.warn, info: log.info };
      case 'close':
        await store?.close();
        await connected.quit();
        setImmediate(() => process.exit(0));
        return {};
    }
  }

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = JSON.parse(line) as WorkerCommand;
    void run(command).then((result) =>
      process.stdout.write(`${JSON.stringify({ id: command.id, result })}\n`),
    );
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`fleet worker failed: ${String(error)}\n`);
  process.exit(1);
});
