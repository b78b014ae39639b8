import type { BreakerSettings, CircuitState } from '../store/types.js';
import { invalidOption as fail } from '../invalid-option.js';

/** What `onStateChange` is told: the scope whose circuit moved, and from which state to which. */
export interface CircuitStateChange {
  readonly scope: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/**
 * The circuit breaker of each scope (`circuitBreaker: true` takes every default). A failed
 * attempt is a status ≥ 500 or 408, or no response at all; canceled attempts count neither way.
 */
export interface CircuitBreakerOptions {
  /**
   * The circuit opens when failed attempts / all attempts in the window reach this, in (0, 1].
   * @default 0.5
   */
  failureRatio?: number | undefined;
  /**
   * The circuit opens only once the window holds at least this many attempts (an integer ≥ 1).
   * @default 10
   */
  minimumThroughput?: number | undefined;
  /**
   * Length of the sliding window, measured in ten slices (fixed memory, like the retry budget).
   * @default 10000
   */
  samplingDurationMs?: number | undefined;
  /**
   * How long an open circuit rejects every attempt before letting probes through.
   * @default 5000
   */
  breakDurationMs?: number | undefined;
  /**
   * Each re-open straight from half-open doubles the break, up to this (≥ `breakDurationMs`).
   * @default 60000
   */
  maxBreakDurationMs?: number | undefined;
  /**
   * Trial attempts let through at once while half-open (an integer ≥ 1): any failure re-opens the
   * circuit, this many successes close it.
   * @default 1
   */
  halfOpenProbes?: number | undefined;
  /**
   * Called once per transition of any scope's circuit.
   * @example
   * onStateChange: ({ scope, from, to }) => console.warn(`circuit ${scope}: ${from} -> ${to}`)
   */
  onStateChange?: ((change: CircuitStateChange) => void) | undefined;
}

/** `circuitBreaker` after defaults and validation. */
export type ResolvedCircuitBreaker = BreakerSettings & {
  readonly onStateChange: ((change: CircuitStateChange) => void) | undefined;
};

/** The breaker's defaults, in one frozen place. */
export const DEFAULT_CIRCUIT_BREAKER = Object.freeze({
  failureRatio: 0.5,
  minimumThroughput: 10,
  samplingDurationMs: 10_000,
  breakDurationMs: 5000,
  maxBreakDurationMs: 60_000,
  halfOpenProbes: 1,
} as const satisfies BreakerSettings);

const DEFAULT_RESOLVED: ResolvedCircuitBreaker = Object.freeze({
  ...DEFAULT_CIRCUIT_BREAKER,
  onStateChange: undefined,
});

const OPTION_NAMES: readonly string[] = [...Object.keys(DEFAULT_CIRCUIT_BREAKER), 'onStateChange'];

/**
 * Validates `circuitBreaker`: `undefined` or `false` (no breaker), `true` (the defaults) or
 * {@link CircuitBreakerOptions}, whose `undefined` fields take their default.
 *
 * @throws TypeError naming the option (e.g. `circuitBreaker.failureRatio`) when a value has the
 *   wrong type or range, or a key is unknown
 */
export function normalizeCircuitBreaker(value: unknown): ResolvedCircuitBreaker | false {
  if (value === undefined || value === false) return false;
  if (value === true) return DEFAULT_RESOLVED;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('circuitBreaker', 'a boolean or an object', value);
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`Unknown option \`circuitBreaker.${key}\` (known: ${OPTION_NAMES.join(', ')})`);
    }
  }
  const pick = (key: keyof typeof DEFAULT_CIRCUIT_BREAKER): unknown =>
    given[key] === undefined ? DEFAULT_CIRCUIT_BREAKER[key] : given[key];
  const failureRatio = pick('failureRatio');
  if (typeof failureRatio !== 'number' || !(failureRatio > 0 && failureRatio <= 1)) {
    fail('circuitBreaker.failureRatio', 'a number in (0, 1]', failureRatio);
  }
  const minimumThroughput = positiveInteger('minimumThroughput', pick('minimumThroughput'));
  const samplingDurationMs = positiveNumber('samplingDurationMs', pick('samplingDurationMs'));
  const breakDurationMs = positiveNumber('breakDurationMs', pick('breakDurationMs'));
  const maxBreakDurationMs = positiveNumber('maxBreakDurationMs', pick('maxBreakDurationMs'));
  if (maxBreakDurationMs < breakDurationMs) {
    fail(
      'circuitBreaker.maxBreakDurationMs',
      `at least \`circuitBreaker.breakDurationMs\` (${breakDurationMs})`,
      maxBreakDurationMs,
    );
  }
  const halfOpenProbes = positiveInteger('halfOpenProbes', pick('halfOpenProbes'));
  const onStateChange = given.onStateChange;
  if (onStateChange !== undefined && typeof onStateChange !== 'function') {
    fail('circuitBreaker.onStateChange', 'a function', onStateChange);
  }
  return Object.freeze({
    failureRatio,
    minimumThroughput,
    samplingDurationMs,
    breakDurationMs,
    maxBreakDurationMs,
    halfOpenProbes,
    onStateChange: onStateChange as ResolvedCircuitBreaker['onStateChange'],
  });
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`circuitBreaker.${name}`, 'a positive finite number', value);
  }
  return value;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(`circuitBreaker.${name}`, 'an integer ≥ 1', value);
  }
  return value;
}
