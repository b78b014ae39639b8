import type { InternalAxiosRequestConfig } from 'axios';
import { isRetryBudget, RetryBudget, type RetryBudgetOptions } from './guards/retry-budget.js';
import { RETRYABLE_STATUS_CODES } from './policy/classify.js';
import { normalizeCircuitBreaker, type ResolvedCircuitBreaker } from './guards/breaker-options.js';
import type { BudgetGuard, ResilienceStore } from './store/types.js';
import type { ResilienceTelemetry } from './telemetry/types.js';
import type { JitterMode, PoolOptions, ResilienceLogger, ResilienceOptions } from './types.js';
import { describeValue, invalidOption as fail } from './invalid-option.js';

/** Options after defaults and validation: what the interceptor reads on every failure. */
export interface ResolvedOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: JitterMode;
  readonly methods: ReadonlySet<string>;
  readonly retryOnStatus: ReadonlySet<number>;
  readonly retryOnErrorCodes: ReadonlySet<string>;
  readonly respectRetryAfter: boolean;
  /** Explicit value, or `undefined` to follow `maxDelayMs`. */
  readonly maxRetryAfterMs: number | undefined;
  readonly deadlineMs: number | undefined;
  readonly retryBudget: BudgetGuard | false;
  readonly idempotencyKey: false | ((config: InternalAxiosRequestConfig) => string);
  readonly shouldRetry: ResilienceOptions['shouldRetry'];
  readonly onRetry: ResilienceOptions['onRetry'];
  readonly onGiveUp: ResilienceOptions['onGiveUp'];
  readonly logger: ResilienceLogger | undefined;
  readonly resume: boolean;
  readonly stallTimeoutMs: number;
  readonly scope: ((config: InternalAxiosRequestConfig) => string) | undefined;
  readonly circuitBreaker: ResolvedCircuitBreaker | false;
  readonly pacing: boolean;
  readonly hedge: ResolvedHedge | false;
  readonly store: ResilienceStore | undefined;
  readonly telemetry: ResilienceTelemetry | undefined;
}

/** `hedge` after defaults and validation. */
export interface ResolvedHedge {
  readonly delayMs: number | 'auto';
  readonly maxHedges: number;
  readonly methods: ReadonlySet<string>;
}

/** The longest wait a JavaScript timer can take (2^31 - 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The package's defaults, in one frozen place. */
export const DEFAULT_OPTIONS = Object.freeze({
  retries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  jitter: 0.5,
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']),
  retryOnStatus: RETRYABLE_STATUS_CODES,
  retryOnErrorCodes: Object.freeze([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'ECONNABORTED',
    'EPIPE',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ERR_NETWORK',
  ]),
  respectRetryAfter: true,
  maxRetryAfterMs: undefined,
  deadlineMs: undefined,
  retryBudget: Object.freeze({ ratio: 0.2, minPerSecond: 10, windowMs: 10_000 }),
  idempotencyKey: false,
  resume: false,
  stallTimeoutMs: 30_000,
  circuitBreaker: false,
  pacing: true,
  hedge: false,
  pool: Object.freeze({ maxSockets: 100, maxFreeSockets: 20, keepAliveMsecs: 1000 }),
} as const);

const JITTER_MODES: ReadonlySet<unknown> = new Set(['full', 'equal', 'decorrelated', 'none']);

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof ResilienceOptions>([
  'retries',
  'baseDelayMs',
  'maxDelayMs',
  'jitter',
  'methods',
  'retryOnStatus',
  'retryOnErrorCodes',
  'respectRetryAfter',
  'maxRetryAfterMs',
  'deadlineMs',
  'retryBudget',
  'idempotencyKey',
  'shouldRetry',
  'onRetry',
  'onGiveUp',
  'logger',
  'resume',
  'stallTimeoutMs',
  'scope',
  'circuitBreaker',
  'pacing',
  'hedge',
  'store',
  'telemetry',
]);

/** Options that belong to the instance, not to one request. */
const INSTANCE_ONLY: ReadonlySet<string> = new Set(['store', 'telemetry']);

const DEFAULT_HEDGE: ResolvedHedge = Object.freeze({
  delayMs: 'auto',
  maxHedges: 1,
  methods: new Set(['GET', 'HEAD', 'OPTIONS']),
});
const HEDGE_NAMES: ReadonlySet<string> = new Set(['delayMs', 'maxHedges', 'methods']);

function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(name, 'a non-negative finite number', value);
  }
  return value;
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(name, 'a non-negative integer', value);
  }
  return value;
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(name, 'a positive finite number', value);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

function optionalFunction<T>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(name, 'a function', value);
  return value as T;
}

function jitterOf(value: unknown): JitterMode {
  if (typeof value === 'number') {
    if (!(value >= 0 && value <= 1))
      fail('jitter', "a number in [0, 1] or 'full' | 'equal' | 'decorrelated' | 'none'", value);
    return value;
  }
  if (!JITTER_MODES.has(value))
    fail('jitter', "a number in [0, 1] or 'full' | 'equal' | 'decorrelated' | 'none'", value);
  return value as JitterMode;
}

function methodSet(value: unknown, name = 'methods'): ReadonlySet<string> {
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'string' && m !== '')) {
    fail(name, 'an array of HTTP method names', value);
  }
  return new Set(value.map((m: string) => m.toUpperCase()));
}

function statusSet(value: unknown): ReadonlySet<number> {
  if (!Array.isArray(value) || !value.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    fail('retryOnStatus', 'an array of HTTP status codes (100-599)', value);
  }
  return new Set(value as number[]);
}

function codeSet(value: unknown): ReadonlySet<string> {
  if (!Array.isArray(value) || !value.every((c) => typeof c === 'string' && c !== '')) {
    fail('retryOnErrorCodes', 'an array of error code strings', value);
  }
  return new Set(value as string[]);
}

function loggerOf(value: unknown): ResilienceLogger | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<ResilienceLogger> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.debug !== 'function' ||
    typeof candidate.info !== 'function' ||
    typeof candidate.warn !== 'function'
  ) {
    fail('logger', 'an object with debug, info and warn methods', value);
  }
  return candidate as ResilienceLogger;
}

function idempotencyKeyOf(value: unknown): ResolvedOptions['idempotencyKey'] {
  if (value === false) return false;
  if (value === true) return randomIdempotencyKey;
  if (typeof value === 'function') return value as (config: InternalAxiosRequestConfig) => string;
  return fail('idempotencyKey', 'a boolean or a function returning a string', value);
}

function hedgeOf(value: unknown): ResolvedHedge | false {
  if (value === false) return false;
  if (value === true) return DEFAULT_HEDGE;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('hedge', 'a boolean or an object', value);
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!HEDGE_NAMES.has(key))
      throw new TypeError(`Unknown option \`hedge.${key}\` (known: delayMs, maxHedges, methods)`);
  }
  const delay = given.delayMs;
  return Object.freeze({
    delayMs:
      delay === undefined || delay === 'auto'
        ? 'auto'
        : typeof delay === 'number' && Number.isFinite(delay) && delay >= 0
          ? delay
          : fail('hedge.delayMs', "a non-negative finite number or 'auto'", delay),
    maxHedges: given.maxHedges === undefined ? 1 : positiveInteger('hedge.maxHedges', given.maxHedges),
    methods: given.methods === undefined ? DEFAULT_HEDGE.methods : methodSet(given.methods, 'hedge.methods'),
  });
}

function storeOf(value: unknown): ResilienceStore {
  const candidate = value as Partial<ResilienceStore> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.retryBudget !== 'function' ||
    typeof candidate.circuitBreaker !== 'function' ||
    typeof candidate.scopePacer !== 'function'
  ) {
    return fail('store', 'a store (createMemoryStore() or createRedisStore())', value);
  }
  return candidate as ResilienceStore;
}

function telemetryOf(value: unknown): ResilienceTelemetry {
  const candidate = value as Partial<ResilienceTelemetry> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.startRequest !== 'function') {
    return fail('telemetry', "a telemetry sink (openTelemetry() from 'axios-resilience/otel')", value);
  }
  return candidate as ResilienceTelemetry;
}

/** Validates the factory's `pool` option and fills in its defaults. */
export function normalizePool(value: unknown): Required<PoolOptions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('pool', 'an object', value);
  const pool = value as PoolOptions;
  for (const key of Object.keys(pool)) {
    if (!(key in DEFAULT_OPTIONS.pool)) {
      throw new TypeError(
        `Unknown option \`pool.${key}\` (known: maxSockets, maxFreeSockets, keepAliveMsecs)`,
      );
    }
  }
  const merged = { ...DEFAULT_OPTIONS.pool, ...definedEntries(pool) };
  return {
    maxSockets: positiveInteger('pool.maxSockets', merged.maxSockets),
    maxFreeSockets: nonNegativeInteger('pool.maxFreeSockets', merged.maxFreeSockets),
    keepAliveMsecs: nonNegativeNumber('pool.keepAliveMsecs', merged.keepAliveMsecs),
  };
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    fail(name, 'a positive integer', value);
  return value;
}

function budgetOf(value: unknown, perRequest: boolean): RetryBudget | false {
  if (value === false) return false;
  if (isRetryBudget(value)) return value;
  if (perRequest) {
    return fail('retryBudget', 'false or a budget from createRetryBudget() in a per-request config', value);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('retryBudget', 'false, an object or a budget from createRetryBudget()', value);
  }
  return new RetryBudget(value as RetryBudgetOptions);
}

function definedEntries<T extends object>(input: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(input) as (keyof T)[]) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  return out;
}

/** A version-4 UUID from the platform's CSPRNG (Node 20+, browsers, workers). */
export function randomIdempotencyKey(): string {
  const webCrypto = globalThis.crypto;
  if (typeof webCrypto?.randomUUID === 'function') return webCrypto.randomUUID();
  // crypto.randomUUID is missing outside secure contexts (plain-http pages); getRandomValues is not.
  const bytes = webCrypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Validates `input` and merges it over `base` (the defaults when absent). `undefined` values
 * mean "keep the base value". Throws a `TypeError` naming the first bad option.
 */
export function normalizeOptions(input: unknown, base?: ResolvedOptions): ResolvedOptions {
  if (input === undefined || input === null) {
    if (base) return base;
    input = {};
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`Expected resilience options to be an object, got ${describeValue(input)}`);
  }
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key)) {
      const hint = key === 'pool' || key === 'axios' ? ' (it applies to createResilientAxios() only)' : '';
      throw new TypeError(`Unknown option \`${key}\`${hint}`);
    }
  }
  const perRequest = base !== undefined;
  if (perRequest) {
    for (const key of Object.keys(given)) {
      if (INSTANCE_ONLY.has(key) && given[key] !== undefined) {
        throw new TypeError(
          `Option \`${key}\` belongs to the instance (attachResilience), not to one request`,
        );
      }
    }
  }
  const has = (key: string): boolean => given[key] !== undefined;
  const start = base ?? defaultResolved();
  return Object.freeze({
    retries: has('retries') ? nonNegativeInteger('retries', given.retries) : start.retries,
    baseDelayMs: has('baseDelayMs') ? nonNegativeNumber('baseDelayMs', given.baseDelayMs) : start.baseDelayMs,
    maxDelayMs: has('maxDelayMs') ? nonNegativeNumber('maxDelayMs', given.maxDelayMs) : start.maxDelayMs,
    jitter: has('jitter') ? jitterOf(given.jitter) : start.jitter,
    methods: has('methods') ? methodSet(given.methods) : start.methods,
    retryOnStatus: has('retryOnStatus') ? statusSet(given.retryOnStatus) : start.retryOnStatus,
    retryOnErrorCodes: has('retryOnErrorCodes') ? codeSet(given.retryOnErrorCodes) : start.retryOnErrorCodes,
    respectRetryAfter: has('respectRetryAfter')
      ? bool('respectRetryAfter', given.respectRetryAfter)
      : start.respectRetryAfter,
    maxRetryAfterMs: has('maxRetryAfterMs')
      ? nonNegativeNumber('maxRetryAfterMs', given.maxRetryAfterMs)
      : start.maxRetryAfterMs,
    deadlineMs: has('deadlineMs') ? positiveNumber('deadlineMs', given.deadlineMs) : start.deadlineMs,
    retryBudget: has('retryBudget') ? budgetOf(given.retryBudget, perRequest) : start.retryBudget,
    idempotencyKey: has('idempotencyKey') ? idempotencyKeyOf(given.idempotencyKey) : start.idempotencyKey,
    shouldRetry: has('shouldRetry')
      ? optionalFunction<ResolvedOptions['shouldRetry']>('shouldRetry', given.shouldRetry)
      : start.shouldRetry,
    onRetry: has('onRetry')
      ? optionalFunction<ResolvedOptions['onRetry']>('onRetry', given.onRetry)
      : start.onRetry,
    onGiveUp: has('onGiveUp')
      ? optionalFunction<ResolvedOptions['onGiveUp']>('onGiveUp', given.onGiveUp)
      : start.onGiveUp,
    logger: has('logger') ? loggerOf(given.logger) : start.logger,
    resume: has('resume') ? bool('resume', given.resume) : start.resume,
    stallTimeoutMs: has('stallTimeoutMs')
      ? positiveNumber('stallTimeoutMs', given.stallTimeoutMs)
      : start.stallTimeoutMs,
    scope: has('scope') ? optionalFunction<ResolvedOptions['scope']>('scope', given.scope) : start.scope,
    circuitBreaker: has('circuitBreaker')
      ? perRequestBreaker(given.circuitBreaker, start.circuitBreaker, perRequest)
      : start.circuitBreaker,
    pacing: has('pacing') ? bool('pacing', given.pacing) : start.pacing,
    hedge: has('hedge') ? hedgeOf(given.hedge) : start.hedge,
    store: has('store') ? storeOf(given.store) : start.store,
    telemetry: has('telemetry') ? telemetryOf(given.telemetry) : start.telemetry,
  });
}

function defaultResolved(): ResolvedOptions {
  return {
    retries: DEFAULT_OPTIONS.retries,
    baseDelayMs: DEFAULT_OPTIONS.baseDelayMs,
    maxDelayMs: DEFAULT_OPTIONS.maxDelayMs,
    jitter: DEFAULT_OPTIONS.jitter,
    methods: new Set(DEFAULT_OPTIONS.methods),
    retryOnStatus: new Set(DEFAULT_OPTIONS.retryOnStatus),
    retryOnErrorCodes: new Set(DEFAULT_OPTIONS.retryOnErrorCodes),
    respectRetryAfter: DEFAULT_OPTIONS.respectRetryAfter,
    maxRetryAfterMs: undefined,
    deadlineMs: undefined,
    // Each instance gets its own budget unless a shared one is passed.
    retryBudget: new RetryBudget(DEFAULT_OPTIONS.retryBudget),
    idempotencyKey: false,
    shouldRetry: undefined,
    onRetry: undefined,
    onGiveUp: undefined,
    logger: undefined,
    resume: DEFAULT_OPTIONS.resume,
    stallTimeoutMs: DEFAULT_OPTIONS.stallTimeoutMs,
    scope: undefined,
    circuitBreaker: false,
    pacing: DEFAULT_OPTIONS.pacing,
    hedge: false,
    store: undefined,
    telemetry: undefined,
  };
}

/**
 * Per request, `circuitBreaker: false` bypasses the instance's breaker and `true` keeps it; new
 * settings would make a second breaker for the same scope, so they are the instance's to give.
 */
function perRequestBreaker(
  value: unknown,
  instance: ResolvedCircuitBreaker | false,
  perRequest: boolean,
): ResolvedCircuitBreaker | false {
  if (!perRequest) return normalizeCircuitBreaker(value);
  if (value === false) return false;
  if (value === true && instance) return instance;
  return fail(
    'circuitBreaker',
    value === true
      ? 'false in a per-request config (the instance has no breaker)'
      : 'true or false in a per-request config',
    value,
  );
}
