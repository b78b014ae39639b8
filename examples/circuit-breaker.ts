import axios from 'axios';
// in your code: from 'axios-resilience'
import { createResilientAxios, getRetryState, isCircuitOpenError } from '../src/index.js';

/**
 * An upstream that is down for a while and comes back, called at a steady rate by a page that
 * can live without it: while the circuit is open, calls fail at once (nothing is sent) and the
 * page shows a fallback; a probe notices the recovery.
 */
export async function main(baseURL: string): Promise<void> {
  const api = createResilientAxios({
    retries: 1,
    baseDelayMs: 50,
    axios: { baseURL, timeout: 5_000 },
    circuitBreaker: {
      // Small numbers, so that the example runs in about a second: the defaults are
      // 0.5, 10 attempts in 10 s, and a 5 s break that doubles up to 60 s.
      failureRatio: 0.5,
      minimumThroughput: 4,
      breakDurationMs: 300,
      onStateChange: ({ scope, from, to }) => console.log(`  circuit for ${scope}: ${from} -> ${to}`),
    },
  });

  // The recommendations service is down for its first 800 ms, then answers again.
  const recommendations = async (): Promise<string> => {
    try {
      const { data } = await api.get<{ attempt: number }>('/outage?forMs=800&service=recommendations');
      return `recommendations (server hit #${data.attempt})`;
    } catch (error) {
      if (isCircuitOpenError(error)) {
        // Not sent: the page renders without it, and does not wait for a timeout.
        return `fallback, circuit open (retry in ${error.retryAfterMs} ms)`;
      }
      // A real failure: the 503 of the last attempt sent (retries used up, or stopped by the circuit).
      const status = axios.isAxiosError(error) ? error.response?.status : undefined;
      return `fallback, ${String(status)} (${getRetryState(error)?.reason})`;
    }
  };

  // The default scope is the origin, its port made explicit: here http://127.0.0.1:<port>.
  const scope = new URL(baseURL).origin;
  try {
    const started = performance.now();
    let opened = false;
    for (let call = 1; call <= 100; call++) {
      const shown = await recommendations();
      const at = Math.round(performance.now() - started);
      console.log(`  call ${String(call).padStart(2)} at ${String(at).padStart(4)} ms: ${shown}`);
      const state = api.resilience.circuitState(scope);
      if (state !== 'closed') opened = true;
      if (opened && state === 'closed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stats = api.resilience.stats();
    // e.g. { requests: 13, attempts: 8, circuitOpens: 1, circuitRejections: 6, ... }
    console.log('stats():', {
      requests: stats.requests,
      attempts: stats.attempts,
      circuitOpens: stats.circuitOpens,
      circuitRejections: stats.circuitRejections,
    });
    if (!opened || stats.circuitRejections === 0) throw new Error('the circuit never opened');
  } finally {
    await api.close();
  }
}
