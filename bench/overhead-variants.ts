import { HAS_DIST, ours, plainVariants, type Tuning, type Variant } from './contenders.js';
import type { ResilienceTelemetry } from '../src/index.js';

export const SUCCESS: Tuning = { baseDelayMs: 0 };
// Every request retries once on the retry path, far past any budget: the budget is off there.
export const RETRY: Tuning = { baseDelayMs: 0, ours: { retryBudget: false } };

/** A sink given but recording nothing, as `openTelemetry()` is when no SDK is registered. */
const IDLE_TELEMETRY: ResilienceTelemetry = { startRequest: () => undefined };

/** The success path: the libraries, then ours with each costly feature switched on but idle. */
export const SUCCESS_VARIANTS: readonly Variant[] = [
  ...plainVariants(SUCCESS),
  // Plain axios a second time: the noise floor of a ratio (its true value is 1).
  { label: 'axios (A/A control)', name: 'axios', tuning: SUCCESS },
  ours('ours + circuitBreaker + pacing', SUCCESS, { circuitBreaker: true, pacing: true }),
  // An in-memory answer comes in microseconds: a 1 s hedge delay is configured, never reached.
  ours('ours + hedge (not triggered)', SUCCESS, { hedge: { delayMs: 1000 } }),
  ours('ours + telemetry (no SDK)', SUCCESS, { telemetry: IDLE_TELEMETRY }),
  // What users run: tsc's CommonJS output. `src/` through tsx reads every import through a getter.
  ...(HAS_DIST
    ? [
        { ...ours('ours (dist build)', SUCCESS, {}), tuning: { ...SUCCESS, dist: true } },
        {
          ...ours('ours + hedge (dist build)', SUCCESS, { hedge: { delayMs: 1000 } }),
          tuning: { ...SUCCESS, ours: { hedge: { delayMs: 1000 } }, dist: true },
        },
      ]
    : []),
];

/** The retry path: the libraries only (plain axios runs a hand-written loop there). */
export const RETRY_VARIANTS: readonly Variant[] = plainVariants(RETRY);
