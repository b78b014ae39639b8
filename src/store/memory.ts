import { CircuitBreaker } from '../guards/circuit-breaker.js';
import { monotonicNow } from '../guards/clock.js';
import { RetryBudget } from '../guards/retry-budget.js';
import { ScopePacer } from '../guards/scope-pacer.js';
import type {
  BreakerGuard,
  BreakerSettings,
  BudgetGuard,
  BudgetSettings,
  CircuitListener,
  PacerGuard,
  PauseListener,
  ResilienceStore,
} from './types.js';

/**
 * The default store: state in this process's memory. Each attached instance gets its own unless
 * one store is given to several (`createMemoryStore()`), which then share breakers and pauses.
 * One breaker and one pacer per scope, kept while the store lives (scopes are origins: few).
 */
export class MemoryStore implements ResilienceStore {
  private readonly breakers = new Map<string, { guard: CircuitBreaker; listeners: CircuitListener[] }>();
  private readonly pacers = new Map<string, { guard: ScopePacer; listeners: PauseListener[] }>();

  constructor(private readonly now: () => number = monotonicNow) {}

  retryBudget(options: BudgetSettings): BudgetGuard {
    return new RetryBudget(options, this.now);
  }

  circuitBreaker(scope: string, settings: BreakerSettings, listener: CircuitListener): BreakerGuard {
    let entry = this.breakers.get(scope);
    if (entry === undefined) {
      const listeners: CircuitListener[] = [];
      const guard = new CircuitBreaker(
        settings,
        (from, to) => listeners.forEach((l) => l(from, to)),
        this.now,
      );
      this.breakers.set(scope, (entry = { guard, listeners }));
    }
    if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
    return entry.guard;
  }

  scopePacer(scope: string, listener: PauseListener): PacerGuard {
    let entry = this.pacers.get(scope);
    if (entry === undefined) {
      const listeners: PauseListener[] = [];
      const guard = new ScopePacer((waitMs) => listeners.forEach((l) => l(waitMs)), this.now);
      this.pacers.set(scope, (entry = { guard, listeners }));
    }
    if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
    return entry.guard;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A store in this process's memory that several instances can share: one breaker and one pause
 * per scope for all of them (each instance otherwise has its own).
 */
export function createMemoryStore(): ResilienceStore {
  return new MemoryStore();
}
