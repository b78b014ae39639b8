import axios from 'axios';
import fc from 'fast-check';
import {
  attachResilience,
  createRetryBudget,
  getRetryState,
  RetryBudget,
  type RetryBudgetOptions,
} from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** What the budget is asked, in order, against a clock the test moves. */
type Op = { kind: 'request' } | { kind: 'retry' } | { kind: 'tick'; ms: number };

interface BudgetKnobs {
  ratio: number;
  minPerSecond: number;
  windowMs: number;
}

/** One call to the budget, seen from outside: when (clock and slice) and what it answered. */
interface Event {
  kind: 'request' | 'retry';
  at: number;
  slice: number;
  granted: boolean;
  /** The formula over the requests in the budget's ten-slice window, just before a retry. */
  allowance: number;
  /** Granted retries in the ten-slice window just before a retry. */
  retriesBefore: number;
}

/**
 * Replays `ops` on a real budget and, beside it, on a naive model that keeps every event and
 * recounts the ten-slice window each time. Slices are numbered `⌊now / (windowMs/10)⌋`; a clock
 * that goes backwards stays in the latest slice seen.
 */
function replay(options: BudgetKnobs, ops: readonly Op[]): Event[] {
  let now = 0;
  const budget = new RetryBudget(options, () => now);
  const sliceMs = options.windowMs / 10;
  const reserve = (options.minPerSecond * options.windowMs) / 1000;
  let latest = Number.NEGATIVE_INFINITY;
  const events: Event[] = [];
  for (const op of ops) {
    if (op.kind === 'tick') {
      now += op.ms;
      continue;
    }
    latest = Math.max(latest, Math.floor(now / sliceMs));
    const window = events.filter((e) => e.slice > latest - 10);
    const requests = window.filter((e) => e.kind === 'request').length;
    const retriesBefore = window.filter((e) => e.kind === 'retry' && e.granted).length;
    const allowance = reserve + options.ratio * requests;
    const granted = op.kind === 'retry' ? budget.tryAcquireRetry() : (budget.recordRequest(), false);
    events.push({ kind: op.kind, at: now, slice: latest, granted, allowance, retriesBefore });
  }
  return events;
}

// Small allowances, so that a few hundred calls reach the limit; whole-millisecond slices, so
// that slice boundaries are exact in the real-time bounds.
const budgetOptions: fc.Arbitrary<BudgetKnobs> = fc.record({
  ratio: fc.oneof(fc.constantFrom(0, 0.1, 0.2, 0.5, 1), fc.double({ min: 0, max: 2, noNaN: true })),
  minPerSecond: fc.oneof(fc.constantFrom(0, 1, 2, 10), fc.double({ min: 0, max: 10, noNaN: true })),
  windowMs: fc.integer({ min: 1, max: 200 }).map((n) => n * 10),
});

/** Requests, retries and clock moves; moves from nothing to several windows, in steps of 1 ms. */
function opsFor(maxWindowMs: number, backwards: boolean): fc.Arbitrary<Op[]> {
  const tick = fc
    .oneof(
      fc.integer({ min: 0, max: Math.ceil(maxWindowMs / 10) }),
      fc.integer({ min: 0, max: maxWindowMs * 3 }),
      fc.integer({ min: backwards ? -maxWindowMs : 0, max: 0 }),
    )
    .map((ms): Op => ({ kind: 'tick', ms }));
  const call = fc.constantFrom<Op>({ kind: 'request' }, { kind: 'retry' }, { kind: 'retry' });
  return fc.array(fc.oneof({ arbitrary: call, weight: 4 }, { arbitrary: tick, weight: 1 }), {
    maxLength: 200,
    size: 'max',
  });
}

const withOps = (backwards: boolean) =>
  budgetOptions.chain((options) => fc.tuple(fc.constant(options), opsFor(options.windowMs, backwards)));

describe('RetryBudget', () => {
  it('allows minPerSecond · windowMs/1000 retries before any request is seen', () => {
    const budget = new RetryBudget({ minPerSecond: 2, windowMs: 3000, ratio: 0.5 }, () => 0);
    const granted = Array.from({ length: 10 }, () => budget.tryAcquireRetry()).filter(Boolean);
    expect(granted).toHaveLength(6);
  });

  it('adds ratio retries for every logical request in the window', () => {
    const budget = new RetryBudget({ minPerSecond: 0, windowMs: 1000, ratio: 0.2 }, () => 0);
    for (let i = 0; i < 50; i++) budget.recordRequest();
    const granted = Array.from({ length: 20 }, () => budget.tryAcquireRetry()).filter(Boolean);
    expect(granted).toHaveLength(10);
  });

  it('gives retries back once the window has slid past them', () => {
    let now = 0;
    const budget = new RetryBudget({ minPerSecond: 1, windowMs: 1000, ratio: 0 }, () => now);
    expect(budget.tryAcquireRetry()).toBe(true);
    now = 999;
    expect(budget.tryAcquireRetry()).toBe(false);
    now = 1000;
    expect(budget.tryAcquireRetry()).toBe(true);
  });

  it('comes back from a long idle period in one step, whatever its length', () => {
    let now = 0;
    const budget = new RetryBudget({ minPerSecond: 1, windowMs: 1000, ratio: 0 }, () => now);
    budget.tryAcquireRetry();
    // Ten years of slices: a slice-by-slice catch-up would not finish.
    now = 10 * 365 * 24 * 3600 * 1000;
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.snapshot()).toMatchObject({ requests: 0, retries: 1 });
  });

  it('ignores a clock that goes backwards: the window does not move', () => {
    let now = 5000;
    const budget = new RetryBudget({ minPerSecond: 1, windowMs: 1000, ratio: 0 }, () => now);
    budget.tryAcquireRetry();
    now = 0;
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it('reports requests, retries, allowance and what is left through snapshot()', () => {
    const budget = new RetryBudget({ minPerSecond: 1, windowMs: 2000, ratio: 0.5 }, () => 0);
    budget.recordRequest();
    budget.recordRequest();
    budget.tryAcquireRetry();
    expect(budget.snapshot()).toEqual({ requests: 2, retries: 1, allowance: 3, remaining: 2 });
  });

  it.each<[string, unknown]>([
    ['ratio', -0.1],
    ['minPerSecond', Number.NaN],
    ['windowMs', 0],
    ['windowMs', Number.POSITIVE_INFINITY],
    ['ratio', '0.2'],
  ])('rejects retryBudget.%s = %p with a TypeError naming it', (name, value) => {
    expect(() => createRetryBudget({ [name]: value } as RetryBudgetOptions)).toThrow(
      new RegExp(`retryBudget\\.${name}`),
    );
  });

  it('rejects an unknown budget option with a TypeError naming it', () => {
    expect(() => createRetryBudget({ percent: 20 } as RetryBudgetOptions)).toThrow(
      /Unknown option `retryBudget\.percent`/,
    );
  });

  describe('properties', () => {
    it('grants a retry exactly when the retries in its ten-slice window are below the formula', () => {
      fc.assert(
        fc.property(withOps(true), ([options, ops]) => {
          for (const event of replay(options, ops)) {
            if (event.kind === 'retry') {
              expect(event.granted).toBe(event.retriesBefore < event.allowance);
            }
          }
        }),
        { numRuns: 200 },
      );
    });

    it('never lets more than the formula + 1 retries into any 0.9 · windowMs of real time', () => {
      fc.assert(
        fc.property(withOps(false), ([options, ops]) => {
          const events = replay(options, ops);
          const grants = events.filter((e) => e.kind === 'retry' && e.granted);
          for (const grant of grants) {
            const retries = grants.filter(
              (g) => g.at >= grant.at - 0.9 * options.windowMs && g.at <= grant.at,
            ).length;
            const requests = events.filter(
              (e) => e.kind === 'request' && e.at > grant.at - options.windowMs && e.at <= grant.at,
            ).length;
            const formula = (options.minPerSecond * options.windowMs) / 1000 + options.ratio * requests;
            expect(retries - 1).toBeLessThan(formula);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('never lets more than twice the formula + 2 retries into any windowMs of real time', () => {
      fc.assert(
        fc.property(withOps(false), ([options, ops]) => {
          const events = replay(options, ops);
          const grants = events.filter((e) => e.kind === 'retry' && e.granted);
          for (const grant of grants) {
            const retries = grants.filter(
              (g) => g.at > grant.at - options.windowMs && g.at <= grant.at,
            ).length;
            const requests = events.filter(
              (e) => e.kind === 'request' && e.at > grant.at - 2 * options.windowMs && e.at <= grant.at,
            ).length;
            const formula = (options.minPerSecond * options.windowMs) / 1000 + options.ratio * requests;
            expect(retries - 2).toBeLessThan(2 * formula);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('retryBudget on an instance', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
    server.plan('/down', [{ status: 503 }]);
  });

  afterEach(() => server.close());

  const failure = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error,
    );

  it('fails a refused retry at once with reason budget, without waiting', async () => {
    const budget = createRetryBudget({ minPerSecond: 0, ratio: 0 });
    const instance = axios.create({ baseURL: server.url });
    const handle = attachResilience(instance, { retryBudget: budget, baseDelayMs: 5000 });
    const started = performance.now();

    const error = await failure(instance.get('/down'));

    expect(performance.now() - started).toBeLessThan(1000);
    expect(getRetryState(error)).toMatchObject({ attempts: 1, delaysMs: [], reason: 'budget' });
    expect(server.hits('/down')).toBe(1);
    expect(handle.stats()).toMatchObject({ budgetRefusals: 1, giveUps: { budget: 1 } });
  });

  it('lets instances that share a budget draw from one allowance', async () => {
    // One retry per 10 s window, whatever the traffic.
    const budget = createRetryBudget({ minPerSecond: 0.1, ratio: 0 });
    const first = axios.create({ baseURL: server.url });
    const second = axios.create({ baseURL: server.url });
    attachResilience(first, { retryBudget: budget, baseDelayMs: 1 });
    attachResilience(second, { retryBudget: budget, baseDelayMs: 1 });

    const firstError = await failure(first.get('/down'));
    const secondError = await failure(second.get('/down'));

    expect(getRetryState(firstError)).toMatchObject({ attempts: 2, reason: 'budget' });
    expect(getRetryState(secondError)).toMatchObject({ attempts: 1, reason: 'budget' });
  });

  it('gives each instance its own budget when given budget options', async () => {
    const options = { retryBudget: { minPerSecond: 0.1, ratio: 0 }, baseDelayMs: 1 };
    const first = axios.create({ baseURL: server.url });
    const second = axios.create({ baseURL: server.url });
    attachResilience(first, options);
    attachResilience(second, options);

    const firstError = await failure(first.get('/down'));
    const secondError = await failure(second.get('/down'));

    expect(getRetryState(firstError)).toMatchObject({ attempts: 2, reason: 'budget' });
    expect(getRetryState(secondError)).toMatchObject({ attempts: 2, reason: 'budget' });
  });

  it('counts logical requests, not attempts, toward the allowance', async () => {
    // One retry per request: counting attempts would let this request retry until exhausted.
    const budget = createRetryBudget({ minPerSecond: 0, ratio: 1 });
    const instance = axios.create({ baseURL: server.url });
    attachResilience(instance, { retryBudget: budget, baseDelayMs: 1, retries: 3 });

    const error = await failure(instance.get('/down'));

    expect(getRetryState(error)).toMatchObject({ attempts: 2, reason: 'budget' });
    expect(budget.snapshot()).toMatchObject({ requests: 1, retries: 1 });
  });
});
