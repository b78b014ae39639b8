import type { GiveUpReason } from '../types.js';

/** The plugin's counters since it was attached. */
export interface ResilienceStats {
  /** Logical requests (a retried request counts once). */
  requests: number;
  /** Attempts sent, first attempts included. */
  attempts: number;
  /** Retries scheduled (attempts beyond the first, plus any canceled or overtaken by the deadline during their wait). */
  retries: number;
  /** Requests that ended in a response. */
  successes: number;
  /** Requests that ended in an error, by the reason the plugin stopped. */
  giveUps: Record<GiveUpReason, number>;
  /** Retries the retry budget refused (also counted in `giveUps.budget`). */
  budgetRefusals: number;
}

export function createStats(): ResilienceStats {
  return {
    requests: 0,
    attempts: 0,
    retries: 0,
    successes: 0,
    giveUps: {
      'not-retryable': 0,
      exhausted: 0,
      budget: 0,
      deadline: 0,
      'retry-after-too-long': 0,
      canceled: 0,
      'body-not-replayable': 0,
    },
    budgetRefusals: 0,
  };
}
