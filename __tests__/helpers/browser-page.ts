// Runs inside headless Chromium: bundled with axios and the package's src by esbuild
// (platform 'browser'), then driven from browser.test.ts through page.evaluate.
import axios from 'axios';
import { createResilientAxios, getRetryState, type RetryState } from '../../src/browser.js';

export type AdapterName = 'xhr' | 'fetch';

/** One request the test asks the page to make; everything in it survives JSON. */
export interface PageRequest {
  adapter: AdapterName;
  url: string;
  method?: 'get' | 'post';
  data?: unknown;
  retries?: number;
  baseDelayMs?: number;
  idempotencyKey?: boolean;
  /** Hedge the request after this many ms without an answer. */
  hedgeDelayMs?: number;
  /** Abort the request's AbortController this long after it starts. */
  abortAfterMs?: number;
}

/** What the page saw, as plain data. */
export interface PageOutcome {
  ok: boolean;
  status?: number;
  data?: unknown;
  code?: string;
  errorName?: string;
  isCancel?: boolean;
  retry?: RetryState;
  /** Milliseconds from the call (or from the abort, when there was one) to settling. */
  settledMs: number;
}

async function run(request: PageRequest): Promise<PageOutcome> {
  const api = createResilientAxios({
    retries: request.retries ?? 3,
    baseDelayMs: request.baseDelayMs ?? 5,
    jitter: 'none',
    retryBudget: false,
    idempotencyKey: request.idempotencyKey ?? false,
    hedge: request.hedgeDelayMs === undefined ? false : { delayMs: request.hedgeDelayMs },
    axios: { adapter: request.adapter },
  });
  const controller = new AbortController();
  let from = performance.now();
  if (request.abortAfterMs !== undefined) {
    setTimeout(() => {
      from = performance.now();
      controller.abort();
    }, request.abortAfterMs);
  }
  try {
    const response = await api.request({
      method: request.method ?? 'get',
      url: request.url,
      data: request.data,
      signal: controller.signal,
    });
    return {
      ok: true,
      status: response.status,
      data: response.data as unknown,
      ...withRetry(getRetryState(response)),
      settledMs: performance.now() - from,
    };
  } catch (error) {
    const settledMs = performance.now() - from;
    const failure = error as { code?: string; name?: string };
    return {
      ok: false,
      ...(failure.code === undefined ? {} : { code: failure.code }),
      ...(failure.name === undefined ? {} : { errorName: failure.name }),
      isCancel: axios.isCancel(error),
      ...withRetry(getRetryState(error)),
      settledMs,
    };
  }
}

function withRetry(retry: RetryState | undefined): { retry?: RetryState } {
  return retry === undefined ? {} : { retry };
}

declare global {
  interface Window {
    axiosResilienceTest: { run: typeof run };
  }
}

window.axiosResilienceTest = { run };
