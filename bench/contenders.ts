import axios, { isAxiosError, type AxiosInstance, type AxiosResponse, type CreateAxiosDefaults } from 'axios';
import axiosRetry, { exponentialDelay } from 'axios-retry';
import * as rax from 'retry-axios';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { attachResilience, type ResilienceOptions } from '../src/index.js';

/** The built package (`npm run build`), as users load it; absent until built. */
const DIST = path.join(__dirname, '..', 'dist', 'cjs', 'index.js');
export const HAS_DIST = existsSync(DIST);
let distAttach: typeof attachResilience | undefined;
function attachFromDist(): typeof attachResilience {
  distAttach ??= (createRequire(__filename)(DIST) as { attachResilience: typeof attachResilience })
    .attachResilience;
  return distAttach;
}

export type ContenderName = 'axios' | 'axios-retry' | 'retry-axios' | 'axios-resilience';
export const CONTENDERS: readonly ContenderName[] = [
  'axios',
  'axios-retry',
  'retry-axios',
  'axios-resilience',
];

/** What a scenario changes from each library's defaults: the base delay, and for ours any option. */
export interface Tuning {
  /** Base of each library's exponential backoff, in ms (0: retry at once). */
  baseDelayMs: number;
  /** Extra options for axios-resilience (e.g. `retryBudget: false`). */
  ours?: ResilienceOptions;
  /** Ours from `dist/cjs` (tsc's output) instead of `src/` through tsx. */
  dist?: boolean;
}

/**
 * One line of a table: a contender's library, what it is called there, and how it is tuned.
 * Several variants of ours (breaker on, pacing off, hedging…) share `name: 'axios-resilience'`.
 */
export interface Variant {
  label: string;
  name: ContenderName;
  tuning: Tuning;
}

/** The four libraries with the same tuning, labelled by their names. */
export function plainVariants(tuning: Tuning): Variant[] {
  return CONTENDERS.map((name) => ({ label: name, name, tuning }));
}

/** A variant of ours: `axios-resilience` with extra options. */
export function ours(label: string, tuning: Tuning, options: ResilienceOptions): Variant {
  return { label, name: 'axios-resilience', tuning: { ...tuning, ours: { ...tuning.ours, ...options } } };
}

/** A client: an axios instance with the contender's retry plugin attached (or none). */
export function makeClient(
  name: ContenderName,
  defaults: CreateAxiosDefaults,
  tuning: Tuning,
): AxiosInstance {
  const instance = axios.create(defaults);
  if (name === 'axios-retry') {
    // Its own default delay is 0 ms; the brief asks for its exponentialDelay with a small factor.
    axiosRetry(instance, { retryDelay: (n, error) => exponentialDelay(n, error, tuning.baseDelayMs) });
  } else if (name === 'retry-axios') {
    // Defaults: 3 retries, exponential ((2^n - 1) / 2) * retryDelay, no jitter.
    instance.defaults.raxConfig = { retryDelay: tuning.baseDelayMs };
    rax.attach(instance);
  } else if (name === 'axios-resilience') {
    const attach = tuning.dist ? attachFromDist() : attachResilience;
    attach(instance, { baseDelayMs: tuning.baseDelayMs, ...tuning.ours });
  }
  return instance;
}

/** What each contender was configured with, in words, for results.md. */
export function describeTuning(name: ContenderName, tuning: Tuning): string {
  const base = tuning.baseDelayMs;
  switch (name) {
    case 'axios':
      return 'no retries';
    case 'axios-retry':
      return `defaults (3 retries, isNetworkOrIdempotentRequestError) + retryDelay: exponentialDelay(n, err, ${base}) = ${base}·2^n + 0-20%`;
    case 'retry-axios':
      return `defaults (3 retries, exponential ((2^n-1)/2)·retryDelay, no jitter) + retryDelay: ${base}`;
    case 'axios-resilience':
      return `defaults (3 retries, jitter 0.5, budget 0.2 + 10/s over 10 s) + ${JSON.stringify({ baseDelayMs: base, ...tuning.ours })}`;
  }
}

/** A plain retry loop with no library: what the plugins are measured against on the retry path. */
export function handLoop(instance: AxiosInstance, retries = 3) {
  return async (url: string, headers: Record<string, string>): Promise<AxiosResponse> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await instance.get(url, { headers });
      } catch (error) {
        if (attempt >= retries || !isAxiosError(error) || error.response?.status !== 503) throw error;
      }
    }
  };
}
