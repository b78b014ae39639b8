import axios from 'axios';
// in your code: from 'axios-resilience'
import { createResilientAxios, getRetryState } from '../src/index.js';

/** Instance-wide defaults, adjusted per request with `config.resilience`. */
export async function main(baseURL: string): Promise<void> {
  const api = createResilientAxios({ retries: 2, baseDelayMs: 100, axios: { baseURL, timeout: 5_000 } });
  try {
    // A health check should report the truth at once: `false` turns retries off.
    const health = await api.get('/flaky?fail=1&with=503', { resilience: false }).catch((error: unknown) => {
      if (axios.isAxiosError(error) && error.response) return error.response;
      throw error;
    });
    console.log('health check, no retries:', health.status);

    // An important read may try harder, within a total time limit. Any subset of the options works.
    const report = await api.get('/flaky?fail=3&with=503', {
      resilience: { retries: 6, baseDelayMs: 50, deadlineMs: 5_000 },
    });
    console.log('report, up to 6 retries:', report.status, getRetryState(report));

    // POST is not retried on a 502 by default (it may have been processed). Where the server
    // de-duplicates by Idempotency-Key, let the plugin add one: the same key on every attempt.
    const order = await api.post(
      '/flaky?fail=1&with=502',
      { sku: 'green-tea', quantity: 2 },
      { resilience: { idempotencyKey: true } },
    );
    console.log('order, keyed POST:', order.status, order.data);
  } finally {
    await api.close();
  }
}
