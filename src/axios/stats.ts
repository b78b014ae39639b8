import type { GiveUpReason } from '../types.js';

/** The plugin's counters since it was attached. */
export interface ResilienceStats {
  /** Logical requests that reached the plugin (a retried request counts once). */
  requests: number;
  /** Attempts sent, what the server can count: first attempts + `retries` + `hedges`. */
  attempts: number;
  /** Retries sent (a retry canceled, refused or overtaken by the deadline during its wait is not). */
  retries: number;
  /** Requests that ended in a response. */
  successes: number;
  /** Requests that ended in an error, by the reason the plugin stopped. */
  giveUps: Record<GiveUpReason, number>;
  /** Retries the retry budget refused (also counted in `giveUps.budget`). */
  budgetRefusals: number;
  /** Circuits that opened (re-opens from half-open included). */
  circuitOpens: number;
  /** Attempts not sent because their scope's circuit was open (first attempts and retries). */
  circuitRejections: number;
  /** Attempts that waited for their scope's rate-limit pause or pacing window. */
  pacedAttempts: number;
  /** Hedge copies sent. */
  hedges: number;
  /** Calls whose outcome came from a hedge copy. */
  hedgeWins: number;
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
      'circuit-open': 0,
    },
    budgetRefusals: 0,
    circuitOpens: 0,
    circuitRejections: 0,
    pacedAttempts: 0,
    hedges: 0,
    hedgeWins: 0,
  };
}
