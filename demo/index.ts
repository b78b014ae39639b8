import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Readable } from 'node:stream';
import {
  createResilientAxios,
  createRetryBudget,
  getRetryState,
  type GiveUpContext,
  type ResilientAxiosInstance,
  type RetryContext,
  type RetryState,
} from '../src/index.js';
import { startFlakyServer, type FlakyServer } from './flaky-server.js';

/**
 * `npm run demo`: a resilient axios instance against an embedded flaky server, every attempt shown
 * as it happens, then a summary. Exits non-zero when a scenario does not behave as promised.
 */

export interface DemoOptions {
  /** Print nothing; only return the rows. @default false */
  quiet?: boolean;
  /** The instance's `baseDelayMs`. @default 200 */
  baseDelayMs?: number;
  /** What the rate-limited endpoint sends as `Retry-After`. @default 1 */
  retryAfterSeconds?: number;
  /** ANSI colours. @default stdout is a TTY and NO_COLOR is unset */
  color?: boolean;
  /** Where the output goes. @default process.stdout */
  write?: (text: string) => void;
}

/** One line of the summary. */
export interface ScenarioRow {
  scenario: string;
  attempts: number;
  waitsMs: number[];
  /** The final status or error code, and why the plugin stopped when it gave up. */
  outcome: string;
  elapsedMs: number;
  /** What should have happened. */
  expected: string;
  passed: boolean;
  /** What went differently than expected, when `passed` is false. */
  problems: string[];
}

interface Settled {
  response?: AxiosResponse;
  error?: AxiosError;
}

interface Scenario {
  /** Short name for the summary table. */
  name: string;
  title: string;
  explain: string;
  expected: string;
  /** Runs the requests and returns the settled outcomes (several for concurrent callers). */
  run(api: ResilientAxiosInstance, server: FlakyServer): Promise<Settled[]>;
  /** Problems found, by looking at the outcomes, their retry state and the server's log. */
  check(outcomes: Settled[], states: RetryState[], server: FlakyServer, elapsedMs: number): string[];
}

type Paint = (text: string) => string;
type Palette = Record<keyof typeof ANSI, Paint>;

const ANSI = { dim: '2', bold: '1', red: '31', green: '32', yellow: '33', cyan: '36' } as const;

function palette(enabled: boolean): Palette {
  const make =
    (code: string): Paint =>
    (text) =>
      enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
  return {
    dim: make(ANSI.dim),
    bold: make(ANSI.bold),
    red: make(ANSI.red),
    green: make(ANSI.green),
    yellow: make(ANSI.yellow),
    cyan: make(ANSI.cyan),
  };
}

const GIVE_UP_WORDS: Record<string, string> = {
  'not-retryable': 'not retried: not safe to resend',
  exhausted: 'gave up: retries used up',
  budget: 'gave up: retry budget spent',
  deadline: 'gave up: the next wait would pass the deadline',
  'retry-after-too-long': 'gave up: server asked to wait too long',
  canceled: 'gave up: canceled',
  'body-not-replayable': 'not retried: body cannot be sent again',
};

function scenarios(baseDelayMs: number, retryAfterSeconds: number): Scenario[] {
  const retryAfterMs = Math.round(retryAfterSeconds * 1000);
  const deadlineMs = baseDelayMs * 6;
  const fileSize = 256 * 1024;
  return [
    {
      name: 'a) 503, 503, 200',
      title: 'a) overloaded: 503 twice, then 200',
      explain: 'GET is idempotent, 503 is transient: exponential backoff with jitter.',
      expected: '3 attempts, 200',
      run: async (api) => [await settle(api.get('/flaky?fail=2&with=503'))],
      check: ([outcome], [state]) => [
        ...expectStatus(outcome, 200),
        ...expectEqual('attempts', state?.attempts, 3),
        ...expectEqual('waits', state?.delaysMs.length, 2),
      ],
    },
    {
      name: 'b) 429 + Retry-After',
      title: `b) rate limited: 429 with Retry-After: ${retryAfterSeconds}`,
      explain: "The server's Retry-After replaces the backoff.",
      expected: `2 attempts, waited ${retryAfterMs} ms, 200`,
      run: async (api) => [await settle(api.get(`/flaky?fail=1&with=429&retryAfter=${retryAfterSeconds}`))],
      check: ([outcome], [state], _server, elapsedMs) => [
        ...expectStatus(outcome, 200),
        ...expectEqual('attempts', state?.attempts, 2),
        ...expectEqual('wait', state?.delaysMs[0], retryAfterMs),
        ...(elapsedMs >= retryAfterMs ? [] : [`finished after ${elapsedMs} ms, before Retry-After`]),
      ],
    },
    {
      name: 'c) reset, reset, 200',
      title: 'c) connection reset twice, then 200',
      explain: 'The server drops the socket without answering (ECONNRESET); GET is safe to resend.',
      expected: '3 attempts, 200',
      run: async (api) => [await settle(api.get('/flaky?fail=2&with=reset'))],
      check: ([outcome], [state]) => [
        ...expectStatus(outcome, 200),
        ...expectEqual('attempts', state?.attempts, 3),
      ],
    },
    {
      name: 'd) POST → 502',
      title: 'd) POST answered 502: not retried',
      explain: 'A 502 does not prove the order was not placed: resending could place it twice.',
      expected: '1 attempt, 502 (not-retryable)',
      run: async (api) => [await settle(api.post('/flaky?fail=1&with=502&run=plain', ORDER))],
      check: ([outcome], [state], server) => [
        ...expectStatus(outcome, 502),
        ...expectEqual('attempts', state?.attempts, 1),
        ...expectEqual('reason', state?.reason, 'not-retryable'),
        ...expectEqual('requests the server saw', server.hits('POST', '/flaky?fail=1&with=502&run=plain'), 1),
      ],
    },
    {
      name: "d') POST → 502, keyed",
      title: "d') the same POST with idempotencyKey: true",
      explain: 'An Idempotency-Key, the same on every attempt, lets the server de-duplicate: safe to retry.',
      expected: '2 attempts, one key, 201',
      run: async (api) => [
        await settle(
          api.post('/flaky?fail=1&with=502&run=keyed', ORDER, { resilience: { idempotencyKey: true } }),
        ),
      ],
      check: ([outcome], [state], server) => {
        const keys = server.log
          .filter((entry) => entry.url === '/flaky?fail=1&with=502&run=keyed')
          .map((entry) => entry.idempotencyKey);
        return [
          ...expectStatus(outcome, 201),
          ...expectEqual('attempts', state?.attempts, 2),
          ...(keys.length === 2 && keys[0] !== undefined && keys[0] === keys[1]
            ? []
            : [`server saw keys ${JSON.stringify(keys)}, expected one key twice`]),
        ];
      },
    },
    {
      name: 'e) stream after 503',
      title: 'e) stream opened after a 503',
      explain: "api.stream('GET', ...) retries while opening; the 503's body is discarded.",
      expected: `2 attempts, 200, ${fileSize} bytes`,
      run: async (api) => {
        const outcome = await settle(api.stream<Readable>('GET', `/file?size=${fileSize}&fail=1&with=503`));
        if (outcome.response) outcome.response.data = await countBytes(outcome.response.data as Readable);
        return [outcome];
      },
      check: ([outcome], [state]) => [
        ...expectStatus(outcome, 200),
        ...expectEqual('attempts', state?.attempts, 2),
        ...expectEqual('bytes', outcome?.response?.data, fileSize),
      ],
    },
    {
      name: 'f) outage + deadline',
      title: `f) full outage, deadlineMs: ${deadlineMs}`,
      explain: 'retries: 10, but no wait is taken that would end past the deadline.',
      expected: `503 (deadline) within ${deadlineMs} ms`,
      run: async (api) => [await settle(api.get('/outage', { resilience: { retries: 10, deadlineMs } }))],
      check: ([outcome], [state], _server, elapsedMs) => [
        ...expectStatus(outcome, 503),
        ...expectEqual('reason', state?.reason, 'deadline'),
        ...(elapsedMs < deadlineMs ? [] : [`took ${elapsedMs} ms, past the ${deadlineMs} ms deadline`]),
      ],
    },
    {
      name: 'g) outage + budget',
      title: 'g) full outage, 3 callers sharing a retry budget of 2',
      explain: 'A shared budget stops a fleet from multiplying an outage: 5 requests instead of 12.',
      expected: '5 attempts in all, 3 × 503 (budget)',
      run: async (api) => {
        // ratio 0, 0.2 retries/s over 10 s: a reserve of exactly 2 retries.
        const budget = createRetryBudget({ ratio: 0, minPerSecond: 0.2, windowMs: 10_000 });
        const calls = [1, 2, 3].map((caller) =>
          settle(api.get(`/outage?caller=${caller}`, { resilience: { retryBudget: budget } })),
        );
        return Promise.all(calls);
      },
      check: (outcomes, states) => [
        ...outcomes.flatMap((outcome) => expectStatus(outcome, 503)),
        ...expectEqual(
          'attempts',
          states.reduce((sum, state) => sum + state.attempts, 0),
          5,
        ),
        ...expectEqual('reasons', states.map((state) => state.reason).join(), 'budget,budget,budget'),
      ],
    },
  ];
}

const ORDER = { sku: 'green-tea', quantity: 2 };

/**
 * Runs every scenario against a fresh flaky server and returns the summary rows. Prints each
 * attempt as it happens unless `quiet`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<ScenarioRow[]> {
  const baseDelayMs = options.baseDelayMs ?? 200;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const color = options.color ?? (process.stdout.isTTY === true && process.env.NO_COLOR === undefined);
  const sink = options.write ?? ((text: string) => void process.stdout.write(text));
  const print = options.quiet ? (): void => undefined : (line = ''): void => sink(`${line}\n`);
  const paint = palette(color);

  const server = await startFlakyServer();
  const trace = new AttemptTrace(print, paint);
  const api = createResilientAxios({
    baseDelayMs,
    onRetry: (ctx) => trace.retry(ctx),
    onGiveUp: (ctx) => trace.giveUp(ctx),
    axios: { baseURL: server.url, timeout: 5_000 },
  });
  api.interceptors.response.use(
    (response) => {
      trace.attempt(response.config, String(response.status));
      return response;
    },
    (error: AxiosError) => {
      if (error.config)
        trace.attempt(error.config, error.response ? String(error.response.status) : error.code);
      throw error;
    },
  );

  print(paint.bold('axios-resilience demo'));
  print(
    paint.dim(
      `flaky server at ${server.url}; createResilientAxios({ baseDelayMs: ${baseDelayMs} }), other options default`,
    ),
  );
  const rows: ScenarioRow[] = [];
  try {
    for (const scenario of scenarios(baseDelayMs, retryAfterSeconds)) {
      print();
      print(paint.bold(paint.cyan(scenario.title)));
      print(paint.dim(`  ${scenario.explain}`));
      trace.start();
      const outcomes = await scenario.run(api, server);
      const elapsedMs = Math.round(performance.now() - trace.startedAt);
      trace.flush();
      const states = outcomes.map((outcome) => stateOf(outcome));
      const problems = scenario.check(outcomes, states, server, elapsedMs);
      const row: ScenarioRow = {
        scenario: scenario.name,
        attempts: states.reduce((sum, state) => sum + state.attempts, 0),
        waitsMs: states.flatMap((state) => state.delaysMs),
        outcome: describeOutcomes(outcomes, states),
        elapsedMs,
        expected: scenario.expected,
        passed: problems.length === 0,
        problems,
      };
      rows.push(row);
      const verdict = row.passed ? paint.green('✓ as expected:') : paint.red('✗ NOT as expected:');
      print(`  ${verdict} ${row.outcome} after ${row.attempts} attempt(s), ${seconds(elapsedMs)}`);
      for (const problem of problems) print(paint.red(`    - ${problem}`));
    }
  } finally {
    await api.close();
    await server.close();
  }
  print();
  printSummary(rows, print, paint);
  return rows;
}

/** Prints each attempt once its fate is known: answered, retried (with the wait), or given up. */
class AttemptTrace {
  startedAt = performance.now();
  private readonly pending = new Map<object, { line: string; note: string }>();

  constructor(
    private readonly print: (line?: string) => void,
    private readonly paint: Palette,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.pending.clear();
  }

  /** Called by a response interceptor: it runs once per attempt, before the plugin decides. */
  attempt(config: InternalAxiosRequestConfig, outcome: string | undefined): void {
    const offset = this.paint.dim(`+${seconds(performance.now() - this.startedAt).padStart(7)}`);
    const method = (config.method ?? 'get').toUpperCase().padEnd(4);
    const key = config.headers.get('Idempotency-Key');
    const note = typeof key === 'string' ? this.paint.dim(`  Idempotency-Key ${key.slice(0, 8)}…`) : '';
    const ok = outcome !== undefined && /^2\d\d$/.test(outcome);
    const shown = (outcome ?? 'error').padEnd(10);
    const line = `  ${offset}  ${method} ${(config.url ?? '').padEnd(38)} → ${ok ? this.paint.green(shown) : this.paint.yellow(shown)}`;
    if (ok) this.print(`${line}${note}`.trimEnd());
    else this.pending.set(config, { line, note });
  }

  retry(ctx: RetryContext): void {
    const retryAfter = ctx.error.response?.headers['retry-after'] as unknown;
    const why = retryAfter === undefined ? ctx.reason : `${ctx.reason}, Retry-After: ${String(retryAfter)}`;
    this.settle(ctx.config, this.paint.yellow(`retry in ${ctx.delayMs} ms`) + this.paint.dim(` (${why})`));
  }

  giveUp(ctx: GiveUpContext): void {
    const config = (ctx.error as { config?: object } | undefined)?.config;
    const words = GIVE_UP_WORDS[ctx.reason] ?? ctx.reason;
    if (config) this.settle(config, this.paint.red(`${words} (${ctx.reason})`));
  }

  /** Prints attempts no hook spoke about (e.g. `resilience: false`). */
  flush(): void {
    for (const { line, note } of this.pending.values()) this.print(`${line.trimEnd()}${note}`);
    this.pending.clear();
  }

  private settle(config: object, decision: string): void {
    const attempt = this.pending.get(config);
    if (attempt === undefined) return;
    this.pending.delete(config);
    this.print(`${attempt.line} ${decision}${attempt.note}`);
  }
}

function printSummary(rows: ScenarioRow[], print: (line?: string) => void, paint: Palette): void {
  const table = rows.map((row) => [
    row.scenario,
    String(row.attempts),
    row.waitsMs.length === 0 ? '-' : row.waitsMs.join(', '),
    row.outcome,
    seconds(row.elapsedMs),
  ]);
  const head = ['scenario', 'attempts', 'waits (ms)', 'outcome', 'elapsed'];
  const widths = head.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 1 ? cell.padStart : cell.padEnd).call(cell, widths[column] ?? 0))
      .join('  ');
  print(paint.bold(line(head)));
  print(widths.map((width) => '─'.repeat(width)).join('  '));
  table.forEach((cells, index) => {
    const passed = rows[index]?.passed === true;
    print(`${line(cells)}  ${passed ? paint.green('✓') : paint.red('✗')}`);
  });
  const failed = rows.filter((row) => !row.passed).length;
  const total = rows.reduce((sum, row) => sum + row.elapsedMs, 0);
  print();
  print(
    failed === 0
      ? `${rows.length} scenarios behaved as expected in ${seconds(total)}.`
      : `${failed} of ${rows.length} scenarios did NOT behave as expected.`,
  );
}

async function settle(request: Promise<AxiosResponse>): Promise<Settled> {
  try {
    return { response: await request };
  } catch (error) {
    return { error: error as AxiosError };
  }
}

function stateOf(outcome: Settled): RetryState {
  return (
    getRetryState(outcome.response ?? outcome.error) ?? { attempts: 0, delaysMs: [], elapsedMs: 0, hedges: 0 }
  );
}

function describeOutcomes(outcomes: Settled[], states: RetryState[]): string {
  const described = outcomes.map((outcome, index) => {
    const status = outcome.response?.status ?? outcome.error?.response?.status ?? outcome.error?.code;
    const reason = states[index]?.reason;
    return reason === undefined ? String(status) : `${String(status)} (${reason})`;
  });
  const distinct = [...new Set(described)];
  return distinct.length === 1 && described.length > 1
    ? `${described.length} × ${distinct[0]}`
    : described.join(', ');
}

function expectStatus(outcome: Settled | undefined, status: number): string[] {
  const actual = outcome?.response?.status ?? outcome?.error?.response?.status ?? outcome?.error?.code;
  return actual === status ? [] : [`status ${String(actual)}, expected ${status}`];
}

function expectEqual(what: string, actual: unknown, expected: unknown): string[] {
  return actual === expected ? [] : [`${what}: ${String(actual)}, expected ${String(expected)}`];
}

async function countBytes(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return bytes;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

if (require.main === module) {
  runDemo().then(
    (rows) => {
      process.exitCode = rows.every((row) => row.passed) ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
