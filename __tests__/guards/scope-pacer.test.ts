import fc from 'fast-check';
import { ScopePacer } from '../../src/guards/scope-pacer.js';

/** A pacer on a clock the test moves, and the pauses its listener heard of. */
function pacerAt(start = 1_000) {
  const clock = { now: start };
  const heard: number[] = [];
  const pacer = new ScopePacer(
    (waitMs) => heard.push(waitMs),
    () => clock.now,
  );
  return { pacer, clock, heard };
}

/** What `count` callers arriving at once are told: 0 for those let through. */
const callers = (pacer: ScopePacer, count: number): number[] =>
  Array.from({ length: count }, () => pacer.acquire());

describe('ScopePacer: pauses', () => {
  it('lets every attempt through at once while the scope is not paused', () => {
    const { pacer } = pacerAt();
    expect(callers(pacer, 50)).toEqual(Array(50).fill(0));
  });

  it('holds every attempt until the pause ends, then lets them go', () => {
    const { pacer, clock } = pacerAt();
    pacer.pause(30_000);
    expect(callers(pacer, 3)).toEqual([30_000, 30_000, 30_000]);
    clock.now += 29_000;
    expect(pacer.acquire()).toBe(1_000);
    clock.now += 1_000;
    expect(pacer.acquire()).toBe(0);
  });

  it('never lets a shorter pause cut a longer one short', () => {
    const { pacer, clock } = pacerAt();
    pacer.pause(10_000);
    clock.now += 1_000;
    pacer.pause(2_000);
    expect(pacer.acquire()).toBe(9_000);
  });

  it('extends the pause when a later one ends later', () => {
    const { pacer, clock } = pacerAt();
    pacer.pause(10_000);
    clock.now += 5_000;
    pacer.pause(20_000);
    expect(pacer.acquire()).toBe(20_000);
  });

  it('tells the listener of each pause that starts or extends, and of no other', () => {
    const { pacer, clock, heard } = pacerAt();
    pacer.pause(10_000);
    clock.now += 1_000;
    pacer.pause(2_000);
    pacer.pause(9_000);
    pacer.pause(15_000);
    expect(heard).toEqual([10_000, 15_000]);
  });

  it('ignores a pause of zero, negative or NaN length', () => {
    const { pacer, heard } = pacerAt();
    pacer.pause(0);
    pacer.pause(-5);
    pacer.pause(Number.NaN);
    expect(heard).toEqual([]);
    expect(pacer.acquire()).toBe(0);
  });

  it('cuts a pause longer than a timer can wait to 2**31 - 1 ms', () => {
    const { pacer, heard } = pacerAt();
    pacer.pause(Number.POSITIVE_INFINITY);
    expect(heard).toEqual([2 ** 31 - 1]);
    expect(pacer.acquire()).toBe(2 ** 31 - 1);
  });

  it('never tells a held attempt to wait 0 ms, even on a fractional clock', () => {
    const { pacer, clock } = pacerAt();
    pacer.pause(100);
    clock.now += 99.7;
    expect(pacer.acquire()).toBe(1);
  });
});

describe('ScopePacer: pacing by the quota', () => {
  it('lets 2 of 20 concurrent callers start when r=5 arrives with 3 attempts still in flight', () => {
    const { pacer, clock } = pacerAt();
    expect(callers(pacer, 4)).toEqual([0, 0, 0, 0]);
    pacer.settle(); // the attempt that brought the answer
    pacer.observeQuota(5, 10_000);
    const answers = callers(pacer, 20);
    expect(answers.filter((wait) => wait === 0)).toHaveLength(2);
    expect(answers.filter((wait) => wait === 10_000)).toHaveLength(18);
    clock.now += 9_999;
    expect(pacer.acquire()).toBe(1);
  });

  it('lets everyone go once the window ends', () => {
    const { pacer, clock } = pacerAt();
    pacer.observeQuota(0, 10_000);
    expect(pacer.acquire()).toBe(10_000);
    clock.now += 10_000;
    expect(callers(pacer, 18)).toEqual(Array(18).fill(0));
  });

  it('replaces the window with a newer observation', () => {
    const { pacer, clock } = pacerAt();
    pacer.observeQuota(0, 60_000);
    clock.now += 1_000;
    pacer.observeQuota(3, 5_000);
    expect(callers(pacer, 4)).toEqual([0, 0, 0, 5_000]);
  });

  it('counts attempts held by a pause as not in flight', () => {
    const { pacer, clock } = pacerAt();
    pacer.pause(1_000);
    callers(pacer, 5);
    clock.now += 1_000;
    pacer.observeQuota(2, 5_000);
    expect(callers(pacer, 3)).toEqual([0, 0, 5_000]);
  });

  it('never counts fewer than zero attempts in flight', () => {
    const { pacer } = pacerAt();
    pacer.settle();
    pacer.settle();
    pacer.observeQuota(2, 5_000);
    expect(callers(pacer, 3)).toEqual([0, 0, 5_000]);
  });

  it('holds attempts for the pause first, then for the window', () => {
    const { pacer, clock } = pacerAt();
    pacer.observeQuota(0, 10_000);
    pacer.pause(3_000);
    expect(pacer.acquire()).toBe(3_000);
    clock.now += 3_000;
    expect(pacer.acquire()).toBe(7_000);
  });

  it('ignores a quota that is NaN or negative', () => {
    const { pacer } = pacerAt();
    pacer.observeQuota(Number.NaN, 10_000);
    pacer.observeQuota(0, -1);
    pacer.observeQuota(-1, 10_000);
    expect(pacer.acquire()).toBe(0);
  });

  it('rejects a listener or a clock that is not a function', () => {
    expect(() => new ScopePacer(undefined as never)).toThrow(TypeError);
    expect(() => new ScopePacer(() => {}, 5 as never)).toThrow(TypeError);
  });
});

type Op =
  | { kind: 'acquire' }
  | { kind: 'settle' }
  | { kind: 'observe'; remaining: number; resetMs: number }
  | { kind: 'pause'; waitMs: number }
  | { kind: 'tick'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant<Op>({ kind: 'acquire' }), weight: 6 },
  { arbitrary: fc.constant<Op>({ kind: 'settle' }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('observe' as const),
      remaining: fc.integer({ min: 0, max: 10 }),
      resetMs: fc.integer({ min: 0, max: 5_000 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('pause' as const), waitMs: fc.integer({ min: 0, max: 3_000 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 2_000 }) }),
    weight: 2,
  },
);

describe('ScopePacer: properties', () => {
  it('never lets more attempts start in a window than remaining minus those in flight when it opened', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const { pacer, clock } = pacerAt(0);
        let inFlight = 0;
        let window = { end: Number.NEGATIVE_INFINITY, allowed: 0, started: 0 };
        for (const step of ops) {
          if (step.kind === 'tick') clock.now += step.ms;
          else if (step.kind === 'pause') pacer.pause(step.waitMs);
          else if (step.kind === 'settle') {
            pacer.settle();
            inFlight = Math.max(0, inFlight - 1);
          } else if (step.kind === 'observe') {
            pacer.observeQuota(step.remaining, step.resetMs);
            window = {
              end: clock.now + step.resetMs,
              allowed: Math.max(0, step.remaining - inFlight),
              started: 0,
            };
          } else if (pacer.acquire() === 0) {
            inFlight += 1;
            if (clock.now < window.end) window.started += 1;
            expect(window.started).toBeLessThanOrEqual(window.allowed);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('holds an attempt only while paused or while the window has no slot left', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const { pacer, clock } = pacerAt(0);
        let inFlight = 0;
        let pausedUntil = Number.NEGATIVE_INFINITY;
        let window = { end: Number.NEGATIVE_INFINITY, left: 0 };
        for (const step of ops) {
          if (step.kind === 'tick') clock.now += step.ms;
          else if (step.kind === 'pause') {
            pacer.pause(step.waitMs);
            if (step.waitMs > 0) pausedUntil = Math.max(pausedUntil, clock.now + step.waitMs);
          } else if (step.kind === 'settle') {
            pacer.settle();
            inFlight = Math.max(0, inFlight - 1);
          } else if (step.kind === 'observe') {
            pacer.observeQuota(step.remaining, step.resetMs);
            window = { end: clock.now + step.resetMs, left: Math.max(0, step.remaining - inFlight) };
          } else {
            const wait = pacer.acquire();
            const open = clock.now < window.end;
            let expected = 0;
            if (clock.now < pausedUntil) expected = pausedUntil - clock.now;
            else if (open && window.left === 0) expected = window.end - clock.now;
            expect(wait).toBe(expected);
            if (wait === 0) {
              inFlight += 1;
              if (open) window.left -= 1;
            }
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
