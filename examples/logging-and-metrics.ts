// in your code: from 'axios-resilience'
import { createResilientAxios } from '../src/index.js';

/**
 * What the plugin did, three ways: a logger (console, pino, winston: anything with
 * debug/info/warn), the `onRetry`/`onGiveUp` hooks for your metrics, and `stats()` counters.
 */
export async function main(baseURL: string): Promise<void> {
  const retriesByReason = new Map<string, number>();
  const giveUpsByReason = new Map<string, number>();

  const api = createResilientAxios({
    retries: 2,
    baseDelayMs: 100,
    axios: { baseURL, timeout: 5_000 },
    // info: each retry; warn: giving up after retries; debug: not retried at all.
    logger: console,
    onRetry: ({ attempt, delayMs, reason, config }) => {
      retriesByReason.set(reason, (retriesByReason.get(reason) ?? 0) + 1);
      console.log(
        `  metric http_retry{reason="${reason}"} url=${config.url} attempt=${attempt} wait=${delayMs}ms`,
      );
    },
    onGiveUp: ({ attempts, reason }) => {
      giveUpsByReason.set(reason, (giveUpsByReason.get(reason) ?? 0) + 1);
      console.log(`  metric http_give_up{reason="${reason}"} attempts=${attempts}`);
    },
  });

  try {
    await api.get('/flaky?fail=2&with=503'); // recovers
    await api.get('/flaky?fail=1&with=reset'); // recovers
    await api.get('/outage').catch(() => undefined); // 3 attempts, then gives up: exhausted
    await api.post('/flaky?fail=1&with=502', { sku: 'green-tea' }).catch(() => undefined); // not-retryable

    // { requests: 4, attempts: 9, retries: 5, successes: 2, giveUps: { exhausted: 1, 'not-retryable': 1, ... }, ... }
    console.log('stats():', api.resilience.stats());
    console.log('retries by reason:', Object.fromEntries(retriesByReason));
    console.log('give-ups by reason:', Object.fromEntries(giveUpsByReason));
  } finally {
    await api.close();
  }
}
