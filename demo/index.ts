import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Readable } from 'node:stream';
import {
  createResilientAxios,
  createRetryBudget,
  getRetryState,
  isCircuitOpenError,
  type GiveUpContext,
  type ResilienceOptions,
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
  run(api: ResilientAxiosInstance, server: FlakyServer, tools: ScenarioTools): Promise<Settled[]>;
  /** Problems found, by looking at the outcomes, their retry state and the server's log. */
  check(outcomes: Settled[], states: RetryState[], server: FlakyServer, elapsedMs: number): string[];
}

/** What a scenario may need beyond the shared instance. */
interface ScenarioTools {
  /** An instance of its own, traced like the shared one, closed after the scenario. */
  create(options: ResilienceOptions): ResilientAxiosInstance;
  /** Resolves once an attempt to `url` has failed and is about to be retried. */
  retried(url: string): Promise<void>;
  /**
   * Prints a dim line: now, or once the attempt being traced has been printed; with
   * `afterAttempt`, after the next attempt line (for what an answer caused before it was traced).
   */
  note(text: string, afterAttempt?: boolean): void;
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
  'circuit-open': 'gave up: the circuit opened, the retry was not sent',
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
    breakerScenario(baseDelayMs),
    pauseScenario(retryAfterSeconds),
    hedgeScenario(),
  ];
}

/** h) An upstream goes down: the circuit opens, calls fail fast, a probe finds it back. */
function breakerScenario(baseDelayMs: number): Scenario {
  const tickMs = Math.max(5, Math.round(baseDelayMs / 2));
  const url = `/outage?forMs=${tickMs * 5}&run=breaker`;
  const transitions: string[] = [];
  return {
    name: 'h) circuit breaker',
    title: `h) an upstream down for ${tickMs * 5} ms, one call every ${tickMs} ms, circuitBreaker on`,
    explain: `3 failures open the circuit: calls fail at once, unsent; after ${tickMs * 4} ms one probe goes through.`,
    expected: '3 × 503, fail fast unsent, probe 200',
    run: async (_api, _server, tools) => {
      const api = tools.create({
        retries: 0,
        circuitBreaker: {
          minimumThroughput: 3,
          breakDurationMs: tickMs * 4,
          onStateChange: ({ from, to }) => {
            transitions.push(`${from} -> ${to}`);
            // Opening and closing follow an answer, printed with its attempt; a break ends before one.
            if (to === 'half-open') tools.note(`circuit ${from} -> ${to}: one probe may go`);
            else tools.note(`circuit ${from} -> ${to}`, true);
          },
        },
      });
      const outcomes: Settled[] = [];
      for (let call = 0; call < 40; call++) {
        const outcome = await settle(api.get(url));
        outcomes.push(outcome);
        if (outcome.response !== undefined) break; // the upstream is back
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
      return outcomes;
    },
    check: (outcomes, _states, server) => {
      const rejected = outcomes.filter((outcome) => isCircuitOpenError(outcome.error)).length;
      return [
        ...expectStatus(outcomes.at(-1), 200),
        ...(rejected > 0 ? [] : ['no call failed fast with CircuitOpenError']),
        ...expectEqual('requests the server saw', server.hits('GET', url), outcomes.length - rejected),
        ...expectEqual('first transition', transitions[0], 'closed -> open'),
        ...expectEqual('last transition', transitions.at(-1), 'half-open -> closed'),
      ];
    },
  };
}

/** i) A 429 with Retry-After pauses its whole scope: the other calls wait instead of colliding. */
function pauseScenario(retryAfterSeconds: number): Scenario {
  const retryAfterMs = Math.round(retryAfterSeconds * 1000);
  const first = `/limited?key=demo&retryAfter=${retryAfterSeconds}&call=1`;
  const others = [2, 3, 4].map((call) => `/limited?key=demo&retryAfter=${retryAfterSeconds}&call=${call}`);
  let paced = 0;
  return {
    name: 'i) 429 pauses the scope',
    title: `i) a rate limit: 429 with Retry-After: ${retryAfterSeconds} for one call, 3 more calls to the same origin`,
    explain: 'The 429 pauses the whole origin: the other calls wait for it instead of collecting 429s.',
    expected: `one 429, 4 × 200, 3 calls waited`,
    run: async (_api, _server, tools) => {
      const api = tools.create({});
      const firstCall = settle(api.get(first));
      await tools.retried(first);
      tools.note('3 more calls start now, while the origin is paused');
      const outcomes = await Promise.all([firstCall, ...others.map((url) => settle(api.get(url)))]);
      paced = api.resilience.stats().pacedAttempts;
      tools.note(`stats().pacedAttempts: ${paced}`);
      return outcomes;
    },
    check: (outcomes, _states, server) => {
      const log = server.log.filter((entry) => entry.url.startsWith('/limited?key=demo&'));
      const refused = log.filter((entry) => entry.outcome === '429');
      const refusedAt = refused[0]?.at ?? 0;
      // The log's times are rounded to the millisecond.
      const early = log.filter((entry) => entry.outcome === '200' && entry.at < refusedAt + retryAfterMs - 1);
      return [
        ...outcomes.flatMap((outcome) => expectStatus(outcome, 200)),
        ...expectEqual('429s the server sent', refused.length, 1),
        ...(early.length === 0 ? [] : [`${early.length} call(s) sent before the Retry-After was over`]),
        ...(paced >= others.length ? [] : [`pacedAttempts: ${paced}, expected at least ${others.length}`]),
      ];
    },
  };
}

/** j) A slow tail: a copy of a GET that has not answered races it, and wins. */
function hedgeScenario(): Scenario {
  const slowMs = 2000;
  const delayMs = 50;
  const url = `/slow?firstMs=${slowMs}&run=hedge`;
  return {
    name: 'j) hedge wins',
    title: `j) a slow tail: the first copy of a GET would take ${slowMs} ms, hedge: { delayMs: ${delayMs} }`,
    explain: `No answer after ${delayMs} ms: a copy is sent; the first answer wins, the slow copy is aborted.`,
    expected: `2 attempts (1 hedge), 200 well before ${slowMs} ms`,
    run: async (_api, server, tools) => {
      const api = tools.create({
        hedge: { delayMs },
        logger: {
          debug: () => undefined,
          info: (message) => {
            if (message.includes('hedging')) tools.note(message.replace('axios-resilience: ', ''));
          },
          warn: () => undefined,
        },
      });
      const outcome = await settle(api.get(url));
      // The server hears of the abort when the slow copy's socket closes.
      for (let waited = 0; waited < 1000 && !server.log.some((e) => e.outcome === 'aborted'); waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const aborted = server.log.some((entry) => entry.url === url && entry.outcome === 'aborted');
      if (aborted) tools.note('the slow copy was aborted: the server saw its socket close, unanswered');
      const stats = api.resilience.stats();
      tools.note(`stats(): hedges ${stats.hedges}, hedgeWins ${stats.hedgeWins}`);
      return [outcome];
    },
    check: ([outcome], [state], server, elapsedMs) => [
      ...expectStatus(outcome, 200),
      ...expectEqual('attempts', state?.attempts, 2),
      ...expectEqual('hedges', state?.hedges, 1),
      ...expectEqual('requests the server saw', server.hits('GET', url), 2),
      ...expectEqual(
        'slow copy aborted',
        server.log.some((entry) => entry.url === url && entry.outcome === 'aborted'),
        true,
      ),
      ...(elapsedMs < slowMs ? [] : [`took ${elapsedMs} ms: the hedge did not win`]),
    ],
  };
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
  const create = (extra: ResilienceOptions): ResilientAxiosInstance =>
    tracedInstance(server.url, trace, { baseDelayMs, ...extra });
  const api = create({});
  const owned: ResilientAxiosInstance[] = [];
  const tools: ScenarioTools = {
    create: (extra) => {
      const instance = create(extra);
      owned.push(instance);
      return instance;
    },
    retried: (url) => trace.retried(url),
    note: (text, afterAttempt) => trace.note(text, afterAttempt),
  };

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
      const outcomes = await scenario.run(api, server, tools);
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
    await Promise.all([api, ...owned].map((instance) => instance.close()));
    await server.close();
  }
  print();
  printSummary(rows, print, paint);
  return rows;
}

/** A resilient instance whose every attempt, retry and give-up the trace prints. */
function tracedInstance(
  baseURL: string,
  trace: AttemptTrace,
  options: ResilienceOptions,
): ResilientAxiosInstance {
  const api = createResilientAxios({
    ...options,
    onRetry: (ctx) => trace.retry(ctx),
    onGiveUp: (ctx) => trace.giveUp(ctx),
    axios: { baseURL, timeout: 5_000 },
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
  return api;
}

/** Prints each attempt once its fate is known: answered, retried (with the wait), or given up. */
class AttemptTrace {
  startedAt = performance.now();
  private readonly pending = new Map<object, { line: string; note: string }>();
  /** Notes waiting for the attempt being traced to be printed. */
  private readonly notes: string[] = [];
  private readonly retryWaiters = new Map<string, Array<() => void>>();

  constructor(
    private readonly print: (line?: string) => void,
    private readonly paint: Palette,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.pending.clear();
    this.notes.length = 0;
  }

  /** A dim line; while an attempt awaits its fate (or with `afterAttempt`), printed after it. */
  note(text: string, afterAttempt = false): void {
    this.notes.push(this.paint.dim(`  ${' '.repeat(9)}${text}`));
    if (this.pending.size === 0 && !afterAttempt) this.printNotes();
  }

  retried(url: string): Promise<void> {
    return new Promise((resolve) => {
      this.retryWaiters.set(url, [...(this.retryWaiters.get(url) ?? []), resolve]);
    });
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
    if (ok) {
      this.print(`${line}${note}`.trimEnd());
      this.printNotes();
    } else this.pending.set(config, { line, note });
  }

  retry(ctx: RetryContext): void {
    const retryAfter = ctx.error.response?.headers['retry-after'] as unknown;
    const why = retryAfter === undefined ? ctx.reason : `${ctx.reason}, Retry-After: ${String(retryAfter)}`;
    this.settle(ctx.config, this.paint.yellow(`retry in ${ctx.delayMs} ms`) + this.paint.dim(` (${why})`));
    const waiters = this.retryWaiters.get(ctx.config.url ?? '');
    this.retryWaiters.delete(ctx.config.url ?? '');
    for (const resolve of waiters ?? []) resolve();
  }

  giveUp(ctx: GiveUpContext): void {
    const config = (ctx.error as { config?: object } | undefined)?.config;
    const words = isCircuitOpenError(ctx.error)
      ? `not sent: the circuit is open, ${ctx.error.retryAfterMs} ms left`
      : (GIVE_UP_WORDS[ctx.reason] ?? ctx.reason);
    if (config) this.settle(config, this.paint.red(`${words} (${ctx.reason})`));
  }

  /** Prints attempts no hook spoke about (e.g. `resilience: false`). */
  flush(): void {
    for (const { line, note } of this.pending.values()) this.print(`${line.trimEnd()}${note}`);
    this.pending.clear();
    this.printNotes();
  }

  private settle(config: object, decision: string): void {
    const attempt = this.pending.get(config);
    if (attempt === undefined) return;
    this.pending.delete(config);
    this.print(`${attempt.line} ${decision}${attempt.note}`);
    this.printNotes();
  }

  private printNotes(): void {
    for (const note of this.notes.splice(0)) this.print(note);
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
  // Runs of the same outcome are shown once: `3 × 503, 200`.
  const runs: Array<{ text: string; count: number }> = [];
  for (const text of described) {
    const last = runs.at(-1);
    if (last !== undefined && last.text === text) last.count += 1;
    else runs.push({ text, count: 1 });
  }
  return runs.map(({ text, count }) => (count > 1 ? `${count} × ${text}` : text)).join(', ');
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
