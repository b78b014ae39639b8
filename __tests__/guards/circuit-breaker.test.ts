import fc from 'fast-check';
import { DEFAULT_CIRCUIT_BREAKER } from '../../src/guards/breaker-options.js';
import { CircuitBreaker } from '../../src/guards/circuit-breaker.js';
import {
  PASS,
  PROBE,
  REJECT,
  type BreakerSettings,
  type CircuitState,
  type Permit,
} from '../../src/store/types.js';

/** A breaker on a clock the test moves, and the transitions its listener heard of. */
function breakerAt(overrides: Partial<BreakerSettings> = {}, start = 1_000) {
  const clock = { now: start };
  const changes: string[] = [];
  const settings: BreakerSettings = { ...DEFAULT_CIRCUIT_BREAKER, ...overrides };
  const breaker = new CircuitBreaker(
    settings,
    (from, to) => changes.push(`${from} -> ${to}`),
    () => clock.now,
  );
  return { breaker, clock, changes };
}

/** `count` attempts let through while closed, each recorded as `failed`. */
function outcomes(breaker: CircuitBreaker, count: number, failed: boolean): void {
  for (let i = 0; i < count; i++) {
    expect(breaker.tryAcquire()).toBe(PASS);
    breaker.record(failed, false);
  }
}

/** Opens a breaker with the default window (10 attempts, ratio 0.5) by ten failures. */
function opened(overrides: Partial<BreakerSettings> = {}) {
  const at = breakerAt({ minimumThroughput: 10, ...overrides });
  outcomes(at.breaker, 10, true);
  expect(at.breaker.state()).toBe('open');
  return at;
}

/** The time left in the break, then moves the clock past it: the circuit is half-open after. */
function waitOutBreak(breaker: CircuitBreaker, clock: { now: number }): number {
  const left = breaker.retryAfterMs();
  clock.now += left;
  expect(breaker.state()).toBe('half-open');
  return left;
}

describe('CircuitBreaker: closed', () => {
  it('lets every attempt through while closed', () => {
    const { breaker } = breakerAt();
    expect(Array.from({ length: 100 }, () => breaker.tryAcquire())).toEqual(Array(100).fill(PASS));
    expect(breaker.state()).toBe('closed');
    expect(breaker.retryAfterMs()).toBe(0);
  });

  it('stays closed below minimumThroughput, even when every attempt failed', () => {
    const { breaker, changes } = breakerAt({ minimumThroughput: 10 });
    outcomes(breaker, 9, true);
    expect(breaker.state()).toBe('closed');
    outcomes(breaker, 1, true);
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual(['closed -> open']);
  });

  it('opens when the failure ratio reaches failureRatio, not before', () => {
    const { breaker } = breakerAt({ minimumThroughput: 10, failureRatio: 0.5 });
    outcomes(breaker, 5, false);
    outcomes(breaker, 4, true);
    expect(breaker.state()).toBe('closed'); // 4 / 9
    outcomes(breaker, 1, true);
    expect(breaker.state()).toBe('open'); // 5 / 10
  });

  it('stays closed while the ratio stays under failureRatio', () => {
    const { breaker } = breakerAt({ minimumThroughput: 10, failureRatio: 0.5 });
    for (let i = 0; i < 200; i++) {
      outcomes(breaker, 1, i % 5 >= 3); // 3 successes, then 2 failures, over and over
    }
    expect(breaker.state()).toBe('closed');
  });

  it('opens on failureRatio 1 only when every attempt in the window failed', () => {
    const { breaker } = breakerAt({ minimumThroughput: 3, failureRatio: 1 });
    outcomes(breaker, 1, false);
    outcomes(breaker, 30, true);
    expect(breaker.state()).toBe('closed');
    const fresh = breakerAt({ minimumThroughput: 3, failureRatio: 1 }).breaker;
    outcomes(fresh, 3, true);
    expect(fresh.state()).toBe('open');
  });

  it('counts outcomes in the current slice and the nine before it (slices of samplingDurationMs / 10)', () => {
    // Slices of 1 s; t = 1000 is in slice 1, so the window that holds it ends with slice 10.
    const kept = breakerAt({ minimumThroughput: 10, samplingDurationMs: 10_000 }, 1_000);
    outcomes(kept.breaker, 9, true);
    kept.clock.now = 10_999;
    outcomes(kept.breaker, 1, true);
    expect(kept.breaker.state()).toBe('open');

    const dropped = breakerAt({ minimumThroughput: 10, samplingDurationMs: 10_000 }, 1_000);
    outcomes(dropped.breaker, 9, true);
    dropped.clock.now = 11_000;
    outcomes(dropped.breaker, 1, true);
    expect(dropped.breaker.state()).toBe('closed');
  });

  it('forgets slices one by one as the window slides', () => {
    const { breaker, clock } = breakerAt(
      { minimumThroughput: 4, failureRatio: 0.5, samplingDurationMs: 1_000 },
      0,
    );
    // Slices of 100 ms: two successes in slice 0, one failure in slice 5, one in slice 9.
    outcomes(breaker, 2, false);
    clock.now = 500;
    outcomes(breaker, 1, true);
    clock.now = 900;
    outcomes(breaker, 1, true); // slice 0 is still in the window: 2 / 4 ≥ 0.5
    expect(breaker.state()).toBe('open');

    const other = breakerAt({ minimumThroughput: 4, failureRatio: 0.75, samplingDurationMs: 1_000 }, 0);
    outcomes(other.breaker, 2, false);
    other.clock.now = 500;
    outcomes(other.breaker, 1, true);
    other.clock.now = 900;
    outcomes(other.breaker, 1, true); // 2/4 < 0.75
    other.clock.now = 1_000; // slice 10: the two successes of slice 0 leave
    outcomes(other.breaker, 1, true); // 3 failures, 3 attempts: below minimumThroughput 4
    expect(other.breaker.state()).toBe('closed');
    outcomes(other.breaker, 1, true); // 4/4
    expect(other.breaker.state()).toBe('open');
  });

  it('forgets a whole window after an idle period of any length', () => {
    const { breaker, clock } = breakerAt({ minimumThroughput: 10 });
    outcomes(breaker, 9, true);
    clock.now += 1e12;
    outcomes(breaker, 9, true);
    expect(breaker.state()).toBe('closed');
    outcomes(breaker, 1, true);
    expect(breaker.state()).toBe('open');
  });

  it('stands still when the clock goes backwards', () => {
    const { breaker, clock } = breakerAt({ minimumThroughput: 10, samplingDurationMs: 10_000 }, 50_000);
    outcomes(breaker, 9, true);
    clock.now = 0; // backwards: still the latest slice seen, nothing dropped
    outcomes(breaker, 1, true);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(5_000);
  });

  it('ignores a clock that answers NaN', () => {
    const { breaker, clock } = breakerAt({ minimumThroughput: 2, breakDurationMs: 1_000 }, 100);
    outcomes(breaker, 2, true);
    clock.now = Number.NaN;
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(1_000);
  });

  it('is not moved by attempts that passed while closed and end after it opened', () => {
    const { breaker, changes } = breakerAt({ minimumThroughput: 10 });
    const inFlight = Array.from({ length: 20 }, () => breaker.tryAcquire());
    expect(inFlight.every((permit) => permit === PASS)).toBe(true);
    for (let i = 0; i < 10; i++) breaker.record(true, false);
    for (let i = 0; i < 10; i++) breaker.record(i % 2 === 0, false);
    expect(changes).toEqual(['closed -> open']);
    expect(breaker.retryAfterMs()).toBe(DEFAULT_CIRCUIT_BREAKER.breakDurationMs);
  });
});

describe('CircuitBreaker: open', () => {
  it('rejects every attempt during the break', () => {
    const { breaker, clock } = opened();
    for (let t = 0; t < 5_000; t += 250) {
      clock.now += 250 - (t === 4_750 ? 1 : 0);
      expect(breaker.tryAcquire()).toBe(REJECT);
    }
  });

  it('tells the time left in the break', () => {
    const { breaker, clock } = opened({ breakDurationMs: 5_000 });
    expect(breaker.retryAfterMs()).toBe(5_000);
    clock.now += 1_234;
    expect(breaker.retryAfterMs()).toBe(3_766);
    clock.now += 3_765;
    expect(breaker.retryAfterMs()).toBe(1);
    clock.now += 1;
    expect(breaker.retryAfterMs()).toBe(0);
    expect(breaker.state()).toBe('half-open');
  });

  it('tells the time left in whole milliseconds, rounded up, on a fractional clock', () => {
    const { breaker, clock } = breakerAt({ minimumThroughput: 1, breakDurationMs: 300 }, 1_000.25);
    outcomes(breaker, 1, true);
    clock.now += 77.7;
    const left = breaker.retryAfterMs();
    expect(left).toBe(223); // 222.3 ms left
    clock.now += left - 1;
    expect(breaker.state()).toBe('open');
    clock.now += 1;
    expect(breaker.state()).toBe('half-open');
  });

  it('turns half-open exactly breakDurationMs after opening, with one transition however often it is asked', () => {
    const { breaker, clock, changes } = opened({ breakDurationMs: 5_000 });
    clock.now += 4_999;
    expect(breaker.state()).toBe('open');
    clock.now += 1;
    expect(breaker.state()).toBe('half-open');
    expect(breaker.state()).toBe('half-open');
    breaker.retryAfterMs();
    expect(changes).toEqual(['closed -> open', 'open -> half-open']);
  });

  it('turns half-open when the first attempt after the break asks, with no timer', () => {
    const { breaker, clock, changes } = opened({ breakDurationMs: 5_000 });
    clock.now += 60_000;
    expect(changes).toEqual(['closed -> open']);
    expect(breaker.tryAcquire()).toBe(PROBE);
    expect(changes).toEqual(['closed -> open', 'open -> half-open']);
  });
});

describe('CircuitBreaker: half-open', () => {
  it('lets halfOpenProbes trial attempts through at once, and rejects the rest', () => {
    const { breaker, clock } = opened({ halfOpenProbes: 3 });
    waitOutBreak(breaker, clock);
    const permits = Array.from({ length: 5 }, () => breaker.tryAcquire());
    expect(permits).toEqual([PROBE, PROBE, PROBE, REJECT, REJECT]);
  });

  it('answers retryAfterMs 0 while half-open with every probe slot taken', () => {
    const { breaker, clock } = opened({ halfOpenProbes: 1 });
    waitOutBreak(breaker, clock);
    expect(breaker.tryAcquire()).toBe(PROBE);
    expect(breaker.tryAcquire()).toBe(REJECT);
    expect(breaker.retryAfterMs()).toBe(0);
  });

  it('gives a probe slot back on release(true), and none on release(false)', () => {
    const { breaker, clock } = opened({ halfOpenProbes: 1 });
    waitOutBreak(breaker, clock);
    expect(breaker.tryAcquire()).toBe(PROBE);
    breaker.release(false);
    expect(breaker.tryAcquire()).toBe(REJECT);
    breaker.release(true);
    expect(breaker.tryAcquire()).toBe(PROBE);
    expect(breaker.state()).toBe('half-open');
  });

  it('does not make a slot out of a release with no probe in flight', () => {
    const { breaker, clock } = opened({ halfOpenProbes: 2 });
    waitOutBreak(breaker, clock);
    breaker.release(true);
    breaker.release(true);
    expect([breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()]).toEqual([
      PROBE,
      PROBE,
      REJECT,
    ]);
  });

  it('re-opens on a failed probe, doubling the break each time up to maxBreakDurationMs', () => {
    const { breaker, clock, changes } = opened({ breakDurationMs: 5_000, maxBreakDurationMs: 50_000 });
    const breaks = [waitOutBreak(breaker, clock)];
    for (let i = 0; i < 5; i++) {
      expect(breaker.tryAcquire()).toBe(PROBE);
      breaker.record(true, true);
      expect(breaker.state()).toBe('open');
      breaks.push(waitOutBreak(breaker, clock));
    }
    expect(breaks).toEqual([5_000, 10_000, 20_000, 40_000, 50_000, 50_000]);
    expect(changes.filter((change) => change === 'half-open -> open')).toHaveLength(5);
  });

  it('re-opens at once on the first failed probe, even after other probes succeeded', () => {
    const { breaker, clock } = opened({ halfOpenProbes: 3 });
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.tryAcquire();
    breaker.record(false, true);
    breaker.record(true, true);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(10_000);
  });

  it('closes after halfOpenProbes successful probes, not before', () => {
    const { breaker, clock, changes } = opened({ halfOpenProbes: 3 });
    waitOutBreak(breaker, clock);
    for (let i = 0; i < 3; i++) expect(breaker.tryAcquire()).toBe(PROBE);
    breaker.record(false, true);
    breaker.record(false, true);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(PROBE); // two slots free again, one taken now
    breaker.record(false, true);
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['closed -> open', 'open -> half-open', 'half-open -> closed']);
  });

  it('starts a fresh window on closing, and the next break is breakDurationMs again', () => {
    const { breaker, clock } = opened({ minimumThroughput: 10, breakDurationMs: 5_000 });
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.record(true, true); // re-opens for 10 s
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.record(false, true);
    expect(breaker.state()).toBe('closed');
    outcomes(breaker, 9, true); // the ten failures that opened it are gone
    expect(breaker.state()).toBe('closed');
    outcomes(breaker, 1, true);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(5_000);
  });

  it('ignores outcomes of attempts that passed while closed', () => {
    const { breaker, clock, changes } = opened();
    waitOutBreak(breaker, clock);
    for (let i = 0; i < 5; i++) breaker.record(true, false);
    for (let i = 0; i < 5; i++) breaker.record(false, false);
    expect(breaker.state()).toBe('half-open');
    expect(changes).toEqual(['closed -> open', 'open -> half-open']);
  });

  it('only frees the slot of a probe that ends while the circuit is open again', () => {
    const { breaker, clock, changes } = opened({ halfOpenProbes: 2 });
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.tryAcquire();
    breaker.record(true, true); // the first probe fails: open
    breaker.record(false, true); // the second succeeds, late
    expect(breaker.state()).toBe('open');
    waitOutBreak(breaker, clock);
    expect([breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()]).toEqual([
      PROBE,
      PROBE,
      REJECT,
    ]);
    expect(changes).toEqual([
      'closed -> open',
      'open -> half-open',
      'half-open -> open',
      'open -> half-open',
    ]);
  });

  it('counts a probe from an earlier half-open period that ends in a later one like any probe', () => {
    // Probes carry no period: a late answer is as fresh as a new probe's, and its slot was held.
    const { breaker, clock } = opened({ halfOpenProbes: 2 });
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.tryAcquire();
    breaker.record(true, true); // one probe fails: open; the other is still in flight
    waitOutBreak(breaker, clock);
    expect([breaker.tryAcquire(), breaker.tryAcquire()]).toEqual([PROBE, REJECT]);
    breaker.record(false, true); // the late probe answers
    breaker.record(false, true); // the new one too
    expect(breaker.state()).toBe('closed');
  });

  it('only frees the slot of a probe that ends after the circuit closed', () => {
    const { breaker, clock, changes } = opened({ halfOpenProbes: 2, minimumThroughput: 10 });
    waitOutBreak(breaker, clock);
    breaker.tryAcquire();
    breaker.tryAcquire();
    breaker.release(true);
    breaker.tryAcquire();
    breaker.record(false, true);
    breaker.record(false, true);
    expect(breaker.state()).toBe('closed');
    breaker.record(true, true); // a probe recorded twice would be a plugin bug; it changes nothing
    outcomes(breaker, 9, true);
    expect(breaker.state()).toBe('closed');
    expect(changes.at(-1)).toBe('half-open -> closed');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random sequences of attempts, outcomes, releases and clock moves.

/** What the test does to the breaker, in order. `pick` chooses among the attempts in flight. */
type Op =
  | { kind: 'acquire' }
  | { kind: 'record'; pick: number; failed: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'tick'; ms: number };

type Knobs = BreakerSettings;

// Small windows and breaks, so that a few hundred steps go through every state many times;
// whole-millisecond slices so that slice boundaries are exact.
const knobs: fc.Arbitrary<Knobs> = fc
  .record({
    failureRatio: fc.oneof(fc.constantFrom(0.1, 0.5, 1), fc.double({ min: 0.01, max: 1, noNaN: true })),
    minimumThroughput: fc.integer({ min: 1, max: 12 }),
    samplingDurationMs: fc.integer({ min: 1, max: 50 }).map((n) => n * 10),
    breakDurationMs: fc.integer({ min: 1, max: 200 }),
    maxFactor: fc.integer({ min: 1, max: 20 }),
    halfOpenProbes: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ maxFactor, ...rest }) => ({ ...rest, maxBreakDurationMs: rest.breakDurationMs * maxFactor }));

/**
 * Attempts, outcomes, releases and clock moves for `settings`: moves within a slice, across a few
 * slices, across the window, and across a break, so that windows slide step by step.
 */
function opsFor(settings: Knobs): fc.Arbitrary<Op[]> {
  const sliceMs = settings.samplingDurationMs / 10;
  const tick = fc
    .oneof(
      fc.integer({ min: 0, max: sliceMs * 2 }),
      fc.integer({ min: 0, max: settings.samplingDurationMs * 1.5 }),
      fc.integer({ min: 0, max: settings.breakDurationMs * 2 }),
    )
    .map((ms): Op => ({ kind: 'tick', ms }));
  return fc.array(
    fc.oneof(
      { arbitrary: fc.constant<Op>({ kind: 'acquire' }), weight: 4 },
      {
        arbitrary: fc.record({ kind: fc.constant('record' as const), pick: fc.nat(), failed: fc.boolean() }),
        weight: 4,
      },
      { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 1 },
      { arbitrary: tick, weight: 2 },
    ),
    { maxLength: 300, size: 'max' },
  );
}

const scenario: fc.Arbitrary<[Knobs, Op[]]> = knobs.chain((settings) =>
  fc.tuple(fc.constant(settings), opsFor(settings)),
);

/** One step seen from outside, for the properties to judge. */
interface Step {
  op: Op;
  permit?: Permit;
  /** Probes granted and not yet recorded or released, after the step. */
  probesInFlight: number;
  /** The listener's transitions during the step. */
  transitions: Array<[CircuitState, CircuitState]>;
  /** For a closed-circuit outcome: the attempts and failures a naive full recount finds in the window. */
  window?: { attempts: number; failures: number };
  /** `retryAfterMs()` right after the step, when the step opened the circuit. */
  breakMs?: number;
}

/**
 * Replays `steps` on a real breaker. Beside it, a naive model keeps every outcome recorded while
 * closed, with its slice number `⌊now / (samplingDurationMs / 10)⌋`, and recounts the window
 * (the current slice and the nine before it) at each outcome; closing forgets them all.
 */
function replay(settings: Knobs, steps: readonly Op[]): Step[] {
  let now = 0;
  let circuit: CircuitState = 'closed';
  let transitions: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker(
    settings,
    (from, to) => {
      circuit = to;
      transitions.push([from, to]);
    },
    () => now,
  );
  const sliceMs = settings.samplingDurationMs / 10;
  let closedOutcomes: Array<{ slice: number; failed: boolean }> = [];
  const inFlight: Permit[] = [];
  const seen: Step[] = [];
  for (const op of steps) {
    transitions = [];
    const step: Step = { op, probesInFlight: 0, transitions };
    if (op.kind === 'tick') {
      now += op.ms;
    } else if (op.kind === 'acquire') {
      const permit = breaker.tryAcquire() as Permit;
      step.permit = permit;
      if (permit !== REJECT) inFlight.push(permit);
    } else if (inFlight.length > 0) {
      const [permit] = inFlight.splice(op.pick % inFlight.length, 1) as [Permit];
      if (op.kind === 'release') {
        breaker.release(permit === PROBE);
      } else {
        const wasClosed = circuit === 'closed';
        breaker.record(op.failed, permit === PROBE);
        if (wasClosed && permit === PASS) {
          const slice = Math.floor(now / sliceMs);
          closedOutcomes.push({ slice, failed: op.failed });
          const window = closedOutcomes.filter((outcome) => outcome.slice > slice - 10);
          step.window = {
            attempts: window.length,
            failures: window.filter((outcome) => outcome.failed).length,
          };
        }
      }
    }
    if (transitions.some(([, to]) => to === 'closed')) closedOutcomes = [];
    if (transitions.some(([, to]) => to === 'open')) step.breakMs = breaker.retryAfterMs();
    step.probesInFlight = inFlight.filter((permit) => permit === PROBE).length;
    seen.push(step);
  }
  return seen;
}

describe('CircuitBreaker: properties', () => {
  it('never has more than halfOpenProbes probes in flight', () => {
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        for (const step of replay(settings, steps)) {
          expect(step.probesInFlight).toBeLessThanOrEqual(settings.halfOpenProbes);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never opens below minimumThroughput, and opens as soon as the window calls for it', () => {
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        for (const step of replay(settings, steps)) {
          if (step.window === undefined) continue;
          const { attempts, failures } = step.window;
          const due = attempts >= settings.minimumThroughput && failures / attempts >= settings.failureRatio;
          const openedNow = step.transitions.some(([from, to]) => from === 'closed' && to === 'open');
          expect({ ...step.window, opened: openedNow }).toEqual({ ...step.window, opened: due });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('opens only from closed on an outcome, or from half-open on a failed probe', () => {
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        for (const step of replay(settings, steps)) {
          for (const [from, to] of step.transitions) {
            if (to !== 'open') continue;
            expect(step.op.kind).toBe('record');
            if (from === 'half-open') expect(step.op).toMatchObject({ failed: true });
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('breaks for breakDurationMs from closed, and doubles each re-open from half-open up to the maximum', () => {
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        let previous = 0;
        for (const step of replay(settings, steps)) {
          const reopened = step.transitions.find(([, to]) => to === 'open');
          if (reopened === undefined) continue;
          const expected =
            reopened[0] === 'closed'
              ? settings.breakDurationMs
              : Math.min(previous * 2, settings.maxBreakDurationMs);
          expect(step.breakMs).toBe(expected);
          previous = expected;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('grants PASS only while closed and PROBE only while half-open', () => {
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        let state: CircuitState = 'closed';
        for (const step of replay(settings, steps)) {
          for (const [, to] of step.transitions) state = to;
          if (step.permit === PASS) expect(state).toBe('closed');
          if (step.permit === PROBE) expect(state).toBe('half-open');
          if (step.permit === REJECT) expect(state).not.toBe('closed');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a fixed memory: the same fields and window slices after any history', () => {
    // Every field, those of the window of counts included.
    const footprint = (object: object, prefix = ''): string[] =>
      Object.entries(object).flatMap(([key, value]: [string, unknown]) =>
        ArrayBuffer.isView(value)
          ? [`${prefix}${key}: ${value.byteLength} bytes`]
          : key === 'window' && typeof value === 'object' && value !== null
            ? footprint(value, `${key}.`)
            : [`${prefix}${key}: ${typeof value}`],
      );
    fc.assert(
      fc.property(scenario, ([settings, steps]) => {
        let now = 0;
        const breaker = new CircuitBreaker(
          settings,
          () => undefined,
          () => now,
        );
        const before = footprint(breaker);
        const permits: Permit[] = [];
        for (const op of steps) {
          if (op.kind === 'tick') now += op.ms;
          else if (op.kind === 'acquire') permits.push(breaker.tryAcquire() as Permit);
          else if (op.kind === 'record') breaker.record(op.failed, permits.pop() === PROBE);
          else breaker.release(permits.pop() === PROBE);
        }
        expect(footprint(breaker)).toEqual(before);
        expect(before.filter((field) => field.includes('bytes'))).toEqual([
          'window.firstSlices: 80 bytes',
          'window.secondSlices: 80 bytes',
        ]);
      }),
      { numRuns: 100 },
    );
  });
});
