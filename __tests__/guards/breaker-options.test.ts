import fc from 'fast-check';
import { DEFAULT_CIRCUIT_BREAKER, normalizeCircuitBreaker } from '../../src/guards/breaker-options.js';

/** The message `normalizeCircuitBreaker(value)` throws, or `undefined` when it accepts it. */
function rejection(value: unknown): string | undefined {
  try {
    normalizeCircuitBreaker(value);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
}

describe('normalizeCircuitBreaker: defaults', () => {
  it('is off for undefined and false', () => {
    expect(normalizeCircuitBreaker(undefined)).toBe(false);
    expect(normalizeCircuitBreaker(false)).toBe(false);
  });

  it('takes the contract defaults for true', () => {
    expect(normalizeCircuitBreaker(true)).toEqual({
      failureRatio: 0.5,
      minimumThroughput: 10,
      samplingDurationMs: 10_000,
      breakDurationMs: 5_000,
      maxBreakDurationMs: 60_000,
      halfOpenProbes: 1,
      onStateChange: undefined,
    });
  });

  it('takes the same defaults for an empty object, and for fields given as undefined', () => {
    const defaults = normalizeCircuitBreaker(true);
    expect(normalizeCircuitBreaker({})).toEqual(defaults);
    expect(
      normalizeCircuitBreaker({
        failureRatio: undefined,
        minimumThroughput: undefined,
        samplingDurationMs: undefined,
        breakDurationMs: undefined,
        maxBreakDurationMs: undefined,
        halfOpenProbes: undefined,
        onStateChange: undefined,
      }),
    ).toEqual(defaults);
  });

  it('keeps what is given and defaults the rest', () => {
    const onStateChange = (): void => undefined;
    expect(normalizeCircuitBreaker({ failureRatio: 0.25, halfOpenProbes: 3, onStateChange })).toEqual({
      ...DEFAULT_CIRCUIT_BREAKER,
      failureRatio: 0.25,
      halfOpenProbes: 3,
      onStateChange,
    });
  });

  it('accepts the edges of every range', () => {
    expect(
      normalizeCircuitBreaker({
        failureRatio: 1,
        minimumThroughput: 1,
        samplingDurationMs: 0.5,
        breakDurationMs: 1,
        maxBreakDurationMs: 1,
        halfOpenProbes: 1,
      }),
    ).toMatchObject({ failureRatio: 1, minimumThroughput: 1, breakDurationMs: 1, maxBreakDurationMs: 1 });
    expect(normalizeCircuitBreaker({ failureRatio: Number.MIN_VALUE })).toMatchObject({
      failureRatio: Number.MIN_VALUE,
    });
  });

  it('answers frozen settings, and its defaults cannot be changed', () => {
    expect(Object.isFrozen(normalizeCircuitBreaker(true))).toBe(true);
    expect(Object.isFrozen(normalizeCircuitBreaker({ failureRatio: 0.2 }))).toBe(true);
    expect(Object.isFrozen(DEFAULT_CIRCUIT_BREAKER)).toBe(true);
  });
});

describe('normalizeCircuitBreaker: validation', () => {
  it.each([
    ['failureRatio', 0, 'a number in (0, 1], got 0'],
    ['failureRatio', 1.5, 'a number in (0, 1], got 1.5'],
    ['failureRatio', -0.1, 'a number in (0, 1], got -0.1'],
    ['failureRatio', Number.NaN, 'a number in (0, 1], got NaN'],
    ['failureRatio', '0.5', 'a number in (0, 1], got "0.5"'],
    ['minimumThroughput', 0, 'an integer ≥ 1, got 0'],
    ['minimumThroughput', 2.5, 'an integer ≥ 1, got 2.5'],
    ['minimumThroughput', Number.POSITIVE_INFINITY, 'an integer ≥ 1, got Infinity'],
    ['minimumThroughput', null, 'an integer ≥ 1, got null'],
    ['samplingDurationMs', 0, 'a positive finite number, got 0'],
    ['samplingDurationMs', -1, 'a positive finite number, got -1'],
    ['samplingDurationMs', Number.POSITIVE_INFINITY, 'a positive finite number, got Infinity'],
    ['breakDurationMs', Number.NaN, 'a positive finite number, got NaN'],
    ['breakDurationMs', '5s', 'a positive finite number, got "5s"'],
    ['maxBreakDurationMs', 0, 'a positive finite number, got 0'],
    ['maxBreakDurationMs', true, 'a positive finite number, got true'],
    ['halfOpenProbes', 0, 'an integer ≥ 1, got 0'],
    ['halfOpenProbes', 1.5, 'an integer ≥ 1, got 1.5'],
    ['halfOpenProbes', [2], 'an integer ≥ 1, got an array'],
    ['onStateChange', 'log', 'a function, got "log"'],
    ['onStateChange', {}, 'a function, got an object'],
  ])('rejects %s: %p with a TypeError naming circuitBreaker.%s', (name, value, expected) => {
    expect(rejection({ [name]: value })).toBe(`Expected \`circuitBreaker.${name}\` to be ${expected}`);
  });

  it('rejects a maxBreakDurationMs shorter than breakDurationMs', () => {
    expect(rejection({ breakDurationMs: 10_000, maxBreakDurationMs: 5_000 })).toBe(
      'Expected `circuitBreaker.maxBreakDurationMs` to be at least `circuitBreaker.breakDurationMs` (10000), got 5000',
    );
    // The default maximum (60 s) is checked against a longer break too.
    expect(rejection({ breakDurationMs: 120_000 })).toMatch(/^Expected `circuitBreaker.maxBreakDurationMs`/);
  });

  it('rejects an unknown option, naming it and the known ones', () => {
    expect(rejection({ failureRate: 0.5 })).toBe(
      'Unknown option `circuitBreaker.failureRate` (known: failureRatio, minimumThroughput, ' +
        'samplingDurationMs, breakDurationMs, maxBreakDurationMs, halfOpenProbes, onStateChange)',
    );
  });

  it.each([
    [null, 'null'],
    [0, '0'],
    ['on', '"on"'],
    [[], 'an array'],
    [() => undefined, 'a function'],
  ])('rejects circuitBreaker: %p, which is neither a boolean nor an object', (value, shown) => {
    expect(rejection(value)).toBe(`Expected \`circuitBreaker\` to be a boolean or an object, got ${shown}`);
  });

  it('accepts every valid object and rejects every number out of range (property)', () => {
    const field = fc.constantFrom(
      'failureRatio',
      'minimumThroughput',
      'samplingDurationMs',
      'breakDurationMs',
      'maxBreakDurationMs',
      'halfOpenProbes',
    );
    fc.assert(
      fc.property(field, fc.double(), (name, value) => {
        const message = rejection({
          [name]: value,
          ...(name === 'breakDurationMs' ? { maxBreakDurationMs: Number.MAX_VALUE } : {}),
        });
        const valid =
          name === 'failureRatio'
            ? value > 0 && value <= 1
            : name === 'minimumThroughput' || name === 'halfOpenProbes'
              ? Number.isInteger(value) && value >= 1
              : name === 'maxBreakDurationMs'
                ? Number.isFinite(value) && value >= DEFAULT_CIRCUIT_BREAKER.breakDurationMs
                : Number.isFinite(value) && value > 0;
        if (valid) expect(message).toBeUndefined();
        else expect(message).toMatch(new RegExp(`^Expected \`circuitBreaker\\.${name}\``));
      }),
      { numRuns: 1_000 },
    );
  });
});
