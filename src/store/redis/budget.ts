import { RetryBudget } from '../../guards/retry-budget.js';
import type { BudgetGuard, BudgetSettings } from '../types.js';
import { markerTtl, type Operation, type StoreHub } from './hub.js';
import { NO_ANSWER } from './link.js';
import { BUDGET_SCRIPT } from './scripts.js';

/**
 * The fleet's retry budget: requests are counted locally and flushed in batches; a retry is granted
 * by the budget script, on the fleet's counts. The local budget, fed the same requests and the
 * retries granted, answers alone while Redis does not.
 */
export class RedisBudget implements BudgetGuard {
  private readonly local: RetryBudget;
  private readonly key: string;
  private readonly reserve: string;
  private readonly sliceMs: string;
  /** Requests not yet sent, and when the first of them came. */
  private pending = 0;
  private pendingSince = 0;
  /** After the fleet said no, no more asking until then (the budget refills slowly). */
  private refusedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly hub: StoreHub,
    private readonly settings: BudgetSettings,
  ) {
    this.local = new RetryBudget(
      { ratio: settings.ratio, minPerSecond: settings.minPerSecond, windowMs: settings.windowMs },
      hub.now,
    );
    this.key = hub.key('budget', String(settings.windowMs));
    this.reserve = String((settings.minPerSecond * settings.windowMs) / 1000);
    this.sliceMs = String(settings.windowMs / 10);
  }

  recordRequest(): void {
    this.local.recordRequest();
    if (this.pending === 0) this.pendingSince = this.hub.now();
    this.pending += 1;
  }

  tryAcquireRetry(): boolean | Promise<boolean> {
    const hub = this.hub;
    if (!hub.link.up) return this.local.tryAcquireRetry();
    if (hub.now() < this.refusedUntil) return false;
    // The grant carries the requests not yet sent: the fleet's count is as fresh as it can be.
    const batch = this.take();
    const marker = batch === undefined ? hub.key('op', '-') : hub.marker();
    const args = this.args(
      batch?.requests ?? 0,
      true,
      batch === undefined ? '0' : markerTtl(this.settings.windowMs),
    );
    return hub.link.run(BUDGET_SCRIPT, [this.key, marker], args).then((answer) => {
      if (answer === NO_ANSWER) {
        // It may have run: its requests are sent again under the same id, never the grant.
        if (batch !== undefined) void hub.send(this.operation(batch.requests, batch.bornAt, marker));
        return this.local.tryAcquireRetry();
      }
      if (Number(answer[0]) === 1) {
        this.local.tryAcquireRetry();
        return true;
      }
      this.refusedUntil = hub.now() + hub.flushMs;
      return false;
    });
  }

  /** The batch of requests to flush, if any. */
  takeOperation(): Operation | undefined {
    const batch = this.take();
    return batch && this.operation(batch.requests, batch.bornAt, this.hub.marker());
  }

  private take(): { requests: number; bornAt: number } | undefined {
    if (this.pending === 0) return undefined;
    const batch = { requests: this.pending, bornAt: this.pendingSince };
    this.pending = 0;
    // Requests older than the window would count where they no longer belong: dropped.
    return this.hub.now() - batch.bornAt > this.settings.windowMs ? undefined : batch;
  }

  private operation(requests: number, bornAt: number, marker: string): Operation {
    const maxAgeMs = this.settings.windowMs;
    return {
      script: BUDGET_SCRIPT,
      keys: [this.key, marker],
      args: this.args(requests, false, markerTtl(maxAgeMs)),
      bornAt,
      maxAgeMs,
    };
  }

  private args(requests: number, ask: boolean, ttl: string): string[] {
    return [this.sliceMs, this.reserve, String(this.settings.ratio), String(requests), ask ? '1' : '0', ttl];
  }
}
