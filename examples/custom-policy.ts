import axios from 'axios';
// in your code: from 'axios-resilience'
import { createResilientAxios, getRetryState, RETRYABLE_STATUS_CODES } from '../src/index.js';

/**
 * `shouldRetry` replaces the built-in classification. Here: an upstream that answers 500 on
 * transient database deadlocks, so 500 is worth a retry too, but only for reads.
 * Retries, budget, deadline, cancellation and body safety still apply around it.
 */
export async function main(baseURL: string): Promise<void> {
  const api = createResilientAxios({
    retries: 3,
    baseDelayMs: 100,
    axios: { baseURL, timeout: 5_000 },
    shouldRetry: ({ error, config }) => {
      // Method safety is now yours to judge: only reads are resent here.
      const method = (config.method ?? 'get').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return false;
      const status = error.response?.status;
      if (status === undefined) return error.code === 'ECONNRESET' || error.code === 'ECONNREFUSED';
      return status === 500 || RETRYABLE_STATUS_CODES.includes(status);
    },
  });
  try {
    const report = await api.get('/flaky?fail=2&with=500');
    console.log('500 twice, then:', report.status, getRetryState(report));

    // 501 Not Implemented will not get better: the policy says no, the call fails at once.
    const error = await api.get('/flaky?fail=1&with=501').catch((caught: unknown) => caught);
    if (!axios.isAxiosError(error)) throw new Error('expected the 501 to fail the call');
    console.log('501:', error.response?.status, getRetryState(error));
  } finally {
    await api.close();
  }
}
