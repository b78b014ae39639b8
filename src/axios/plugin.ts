import axios, {
  type AxiosAdapter,
  type AxiosError,
  type AxiosInstance,
  type AxiosInterceptorManager,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { monotonicNow } from '../guards/clock.js';
import type { ResolvedCircuitBreaker } from '../guards/breaker-options.js';
import { LatencySummary } from '../guards/latency-summary.js';
import { isRetryBudget, type RetryBudget } from '../guards/retry-budget.js';
import { normalizeOptions, type ResolvedOptions } from '../options.js';
import { originOf } from '../policy/scope.js';
import { MemoryStore } from '../store/memory.js';
import type { BreakerGuard, CircuitState, PacerGuard, ResilienceStore } from '../store/types.js';
import { combineTelemetry } from '../telemetry/combine.js';
import { diagnosticsTelemetry } from '../telemetry/diagnostics.js';
import type { ResilienceTelemetry } from '../telemetry/types.js';
import type { GiveUpReason, ResilienceOptions } from '../types.js';
import { AttemptState, stateOf } from './attempt-state.js';
import {
  AttemptBoundary,
  type PluginCore,
  type ScopeGuards,
  type StatefulConfig,
  UNREPLAYABLE_KEY,
} from './boundary.js';
import { axiosErrorIn, isReplayableBody } from './failure.js';
import { retryOrGiveUp } from './retry.js';
import { createStats, type ResilienceStats } from './stats.js';

/** What `attachResilience` returns. */
export interface ResilienceHandle {
  /** Removes every interceptor and hook this plugin installed on the instance. */
  detach(): void;
  /** A snapshot of the plugin's counters. */
  stats(): ResilienceStats;
  /** The state of `scope`'s circuit breaker (`'closed'` when it has none yet). */
  circuitState(scope: string): CircuitState;
}

type ResponseManager = AxiosInterceptorManager<AxiosResponse>;
type RequestManager = AxiosInterceptorManager<InternalAxiosRequestConfig>;
type AdapterSpec = InternalAxiosRequestConfig['adapter'];

/** Marks an instance any copy of this package is attached to (ESM and CJS builds, two versions). */
const ATTACHED = Symbol.for('axios-resilience.attached');
/** Marks an adapter this package wrapped, so it is never wrapped twice. */
const WRAPPED = Symbol.for('axios-resilience.adapter');

/**
 * Makes `instance` resilient: failed requests are classified, waited on and re-dispatched through
 * the same instance, so request interceptors run again on every attempt.
 *
 * @throws TypeError when an option is invalid (nothing is attached then)
 * @throws Error when the instance already has resilience attached (by any copy of this package)
 * @example
 * const handle = attachResilience(axios.create({ baseURL }), { retries: 5 });
 */
export function attachResilience(instance: AxiosInstance, options?: ResilienceOptions): ResilienceHandle {
  if (!isAxiosInstance(instance)) {
    throw new TypeError('Expected `instance` to be an axios instance (axios or axios.create())');
  }
  if ((instance as unknown as Record<symbol, unknown>)[ATTACHED] !== undefined) {
    throw new Error(
      'attachResilience() was already called on this axios instance; call detach() on its handle first',
    );
  }
  const sharedBudget = isRetryBudget((options as { retryBudget?: unknown } | undefined)?.retryBudget);
  return new ResiliencePlugin(instance, normalizeOptions(options ?? {}), sharedBudget);
}

function isAxiosInstance(value: unknown): value is AxiosInstance {
  const candidate = value as Partial<AxiosInstance> | null | undefined;
  return (
    (typeof candidate === 'function' || typeof candidate === 'object') &&
    candidate !== null &&
    typeof candidate.request === 'function' &&
    typeof candidate.defaults === 'object' &&
    typeof candidate.interceptors?.response?.use === 'function'
  );
}

/**
 * The shell around one instance. Where each check lives (see docs/design.md):
 * - the attempt boundary (a wrapped adapter, after every request interceptor): counting, the
 *   deadline's timeout, the pinned Idempotency-Key, the breaker, the scope's pause, hedging;
 * - the last response interceptor: the retry decision, the wait, the re-dispatch.
 */
class ResiliencePlugin implements ResilienceHandle, PluginCore, ScopeGuards {
  readonly counters: ResilienceStats = createStats();
  detached = false;
  readonly options: ResolvedOptions;
  readonly telemetry: ResilienceTelemetry | undefined;
  readonly boundary: AttemptBoundary;
  /** No other response interceptor since attaching (or before), as far as `use` and `clear` tell. */
  private alone: boolean;
  /** The `handlers` array the plugin's response interceptor was last put in. */
  private handlersRef: unknown;
  /** The config the request interceptor saw last, until the boundary sends it. */
  private lastSeen: StatefulConfig | undefined;
  private readonly store: ResilienceStore;
  private readonly breakers = new Map<string, BreakerGuard>();
  private readonly pacers = new Map<string, PacerGuard>();
  private readonly latencies = new Map<string, LatencySummary>();
  /** The last default scope computed, by baseURL: a relative url's scope is its baseURL's. */
  private lastBase: string | undefined;
  private lastBaseScope = '';
  private lastPacerScope: string | undefined;
  private lastPacer: PacerGuard | undefined;
  private requestId: number;
  private responseId: number;
  private readonly responses: ResponseManager;
  private readonly requests: RequestManager;
  private readonly innerDefault: AdapterSpec;
  private readonly defaultAdapter: AxiosAdapter;
  /** Adapters given per request, wrapped once: functions weakly, names and lists by name. */
  private readonly adapterFunctions = new WeakMap<object, AxiosAdapter>();
  private readonly adapterNames = new Map<string, AxiosAdapter>();

  constructor(
    readonly instance: AxiosInstance,
    options: ResolvedOptions,
    sharedBudget: boolean,
  ) {
    this.store = options.store ?? new MemoryStore();
    // Without a budget shared by hand, the store holds it (a fleet store shares it).
    const budget = options.retryBudget;
    this.options =
      budget && !sharedBudget && options.store !== undefined
        ? Object.freeze({ ...options, retryBudget: this.store.retryBudget(budget as RetryBudget) })
        : options;
    // The diagnostics channels (Node) hear every event too, whether or not a sink is given.
    this.telemetry = combineTelemetry(this.options.telemetry, diagnosticsTelemetry());
    this.boundary = new AttemptBoundary(this, this);
    Object.defineProperty(instance, ATTACHED, { value: this, configurable: true });
    // The instance's default adapter, wrapped. One set later (axios-mock-adapter does) is wrapped
    // by the request interceptor, as a per-request one is. A data property, not an accessor:
    // axios spreads the defaults into every request's config, and an accessor slows that copy.
    const defaults = instance.defaults;
    this.innerDefault = defaults.adapter;
    this.defaultAdapter = this.wrap(this.innerDefault);
    defaults.adapter = this.defaultAdapter;
    // Synchronous, so axios still dispatches without a promise hop when no other interceptor is async.
    this.requests = instance.interceptors.request;
    this.requestId = this.requests.use(this.onRequest, undefined, { synchronous: true });
    this.responses = instance.interceptors.response;
    this.alone = !hasHandlers(this.responses);
    this.responseId = this.responses.use(this.boundary.answered, this.onError);
    this.handlersRef = handlersOf(this.responses);
    this.keepInstalled();
  }

  /**
   * Whether `config` came through this instance's chain (the request interceptor saw it last) and
   * the plugin's response interceptor is still the chain's only one, in the array it was put in.
   * A request sent elsewhere with the wrapped adapter (`axios(error.config)`, `instance.create()`)
   * is not: its answer is recorded at the boundary. An app that replaced or edited `handlers` by
   * hand turns this off for good.
   */
  answersInChain(config: StatefulConfig): boolean {
    const seen = this.lastSeen;
    this.lastSeen = undefined;
    if (!this.alone || config !== seen) return false;
    const handlers = handlersOf(this.responses);
    if (handlers === this.handlersRef && (handlers as unknown[]).length === 1) return true;
    this.alone = false;
    return false;
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    for (const manager of [this.responses, this.requests] as Partial<Record<'use' | 'clear', unknown>>[]) {
      delete manager.use;
      delete manager.clear;
    }
    this.requests.eject(this.requestId);
    this.responses.eject(this.responseId);
    const defaults = this.instance.defaults as { adapter?: AdapterSpec };
    // One the app set since is the app's: left as it is.
    if (defaults.adapter === this.defaultAdapter) {
      delete defaults.adapter;
      if (this.innerDefault !== undefined) defaults.adapter = this.innerDefault;
    }
    delete (this.instance as unknown as Record<symbol, unknown>)[ATTACHED];
  }

  stats(): ResilienceStats {
    return { ...this.counters, giveUps: { ...this.counters.giveUps } };
  }

  circuitState(scope: string): CircuitState {
    const breaker = this.breakers.get(scope);
    return breaker === undefined ? 'closed' : breaker.state();
  }

  scopeOf(config: StatefulConfig, options: ResolvedOptions): string {
    if (options.scope !== undefined) {
      const scope = options.scope(config);
      if (typeof scope !== 'string' || scope === '') {
        throw new TypeError(`Expected \`scope\` to return a non-empty string, got ${typeof scope}`);
      }
      return scope;
    }
    // A relative url's scope is its baseURL's (or the page's): computed once per baseURL seen last.
    if (!isRelative(config.url)) return originOf(config);
    const base = config.baseURL ?? '';
    if (base !== this.lastBase) {
      this.lastBase = base;
      this.lastBaseScope = originOf(config);
    }
    return this.lastBaseScope;
  }

  breaker(scope: string, settings: ResolvedCircuitBreaker): BreakerGuard {
    let breaker = this.breakers.get(scope);
    if (breaker === undefined) {
      breaker = this.store.circuitBreaker(scope, settings, (from, to) =>
        this.circuitChanged(scope, from, to),
      );
      this.breakers.set(scope, breaker);
    }
    return breaker;
  }

  pacer(scope: string): PacerGuard {
    // The scope asked last (most requests go to one): no map lookup.
    if (scope === this.lastPacerScope && this.lastPacer !== undefined) return this.lastPacer;
    let pacer = this.pacers.get(scope);
    if (pacer === undefined) {
      pacer = this.store.scopePacer(scope, (waitMs) =>
        this.options.logger?.info(`axios-resilience: ${scope} paused for ${waitMs} ms by the server`),
      );
      this.pacers.set(scope, pacer);
    }
    this.lastPacerScope = scope;
    this.lastPacer = pacer;
    return pacer;
  }

  latency(scope: string): LatencySummary {
    let latency = this.latencies.get(scope);
    if (latency === undefined) this.latencies.set(scope, (latency = new LatencySummary()));
    return latency;
  }

  private circuitChanged(scope: string, from: CircuitState, to: CircuitState): void {
    const options = this.options;
    if (to === 'open') this.counters.circuitOpens += 1;
    const breaker = options.circuitBreaker;
    if (options.logger) {
      const level = to === 'open' ? 'warn' : 'info';
      options.logger[level](`axios-resilience: circuit for ${scope} ${from} -> ${to}`);
    }
    this.telemetry?.circuit?.({ scope, from, to });
    if (breaker && breaker.onStateChange) {
      try {
        breaker.onStateChange({ scope, from, to });
      } catch (thrown) {
        // A throwing listener must not break the breaker, nor the attempt that moved it.
        options.logger?.warn(`axios-resilience: onStateChange threw: ${String(thrown)}`);
      }
    }
  }

  /**
   * Axios runs response interceptors in registration order, and a retry re-runs the whole chain.
   * Staying last means every other interceptor sees each attempt once and the caller's outcome
   * once; re-registering on `use` keeps the ids the user holds valid. `clear()` of either manager
   * keeps the plugin installed.
   */
  private keepInstalled(): void {
    const responses = this.responses;
    const use = responses.use;
    const clearResponses = responses.clear;
    responses.use = (...args: Parameters<ResponseManager['use']>): number => {
      // From now on each attempt's answer is recorded at the boundary, before any other interceptor.
      this.alone = false;
      const id = use.apply(responses, args);
      responses.eject(this.responseId);
      this.responseId = use.call(responses, this.boundary.answered, this.onError);
      return id;
    };
    responses.clear = () => {
      if (handlersOf(responses) !== this.handlersRef) this.alone = false;
      clearResponses.call(responses);
      this.responseId = use.call(responses, this.boundary.answered, this.onError);
      this.handlersRef = handlersOf(responses);
    };
    const requests = this.requests;
    const clearRequests = requests.clear;
    requests.clear = () => {
      clearRequests.call(requests);
      this.requestId = requests.use(this.onRequest, undefined, {
        synchronous: true,
      });
    };
  }

  /** Runs before axios transforms the body: the default transform turns an async iterable into "{}". */
  private readonly onRequest = (config: StatefulConfig): StatefulConfig => {
    this.lastSeen = config;
    // Also for `resilience: false`: the boundary passes such a request straight to its adapter.
    const adapter = config.adapter;
    if (adapter !== this.defaultAdapter && !isWrapped(adapter)) config.adapter = this.wrapPerRequest(adapter);
    if (!isReplayableBody(config.data)) config[UNREPLAYABLE_KEY] = true;
    return config;
  };

  /** A per-request adapter (`adapter: 'fetch'`), wrapped once and remembered. */
  private wrapPerRequest(spec: AdapterSpec): AxiosAdapter {
    if (typeof spec === 'function') {
      let adapter = this.adapterFunctions.get(spec);
      if (adapter === undefined) this.adapterFunctions.set(spec, (adapter = this.wrap(spec)));
      return adapter;
    }
    const name = Array.isArray(spec) ? spec.join() : String(spec);
    let adapter = this.adapterNames.get(name);
    if (adapter === undefined) this.adapterNames.set(name, (adapter = this.wrap(spec)));
    return adapter;
  }

  private wrap(spec: AdapterSpec): AxiosAdapter {
    // A function is its own adapter: resolved once, not by `getAdapter` (two allocations) per request.
    // Without a spec, axios's global default is read each time: the app may change it.
    let resolvedFrom: AdapterSpec;
    let resolved: AxiosAdapter | undefined;
    const adapter: AxiosAdapter = (config) => {
      const inner = spec ?? axios.defaults.adapter;
      if (typeof inner !== 'function') {
        return this.boundary.send(config as StatefulConfig, axios.getAdapter(inner, config));
      }
      if (inner !== resolvedFrom || resolved === undefined) {
        resolved = axios.getAdapter(inner, config);
        resolvedFrom = inner;
      }
      return this.boundary.send(config as StatefulConfig, resolved);
    };
    Object.defineProperty(adapter, WRAPPED, { value: true });
    return adapter;
  }

  private readonly onError = async (caught: unknown): Promise<AxiosResponse> => {
    // An earlier interceptor may have wrapped the AxiosError (`new MyError(msg, { cause })`).
    const error = axiosErrorIn(caught);
    const config = error?.config as StatefulConfig | undefined;
    const state = stateOf(config);
    if (state !== undefined && state.owner === this) this.boundary.failed(state, caught);
    // Not from axios, not ours, or already settled by a nested attempt: pass it on untouched.
    if (state === undefined || state.owner !== this || state.endedAt !== undefined) throw caught;
    if (config?.resilience === false || this.detached) {
      state.lastError = caught;
      this.settle(state, 'not-retryable');
      throw caught;
    }
    try {
      return await retryOrGiveUp(this, error as AxiosError, config as StatefulConfig, state, caught);
    } catch (failure) {
      // A hook threw, or a retry failed before axios sent it (a request interceptor threw):
      // a failure the plugin cannot retry, so the request still ends, and is counted, once.
      if (state.endedAt === undefined) {
        state.lastError = failure;
        this.settle(state, 'not-retryable');
      }
      throw failure;
    }
  };

  settle(state: AttemptState, reason: GiveUpReason): void {
    state.reason = reason;
    state.endedAt = monotonicNow();
    if (!state.continuation) this.counters.giveUps[reason] += 1;
    state.telemetry?.end({
      error: state.lastError,
      reason,
      attempts: state.attempts,
      retries: state.retries,
      hedges: state.hedges,
    });
  }
}

/** Whether the manager holds any interceptor (`handlers` is public: user code may even null it). */
function hasHandlers(manager: ResponseManager): boolean {
  const handlers = handlersOf(manager);
  return !Array.isArray(handlers) || handlers.some((handler) => handler !== null);
}

function handlersOf(manager: ResponseManager): unknown {
  return (manager as { handlers?: unknown }).handlers;
}

function isWrapped(adapter: unknown): boolean {
  return typeof adapter === 'function' && (adapter as unknown as Record<symbol, unknown>)[WRAPPED] === true;
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const SLASH = 47;

function isRelative(url: string | undefined): boolean {
  if (url === undefined) return true;
  // A path ('/items', not '//host'): the usual case, told without the regex.
  if (url.charCodeAt(0) === SLASH) return url.charCodeAt(1) !== SLASH;
  return !ABSOLUTE.test(url);
}
