import axios, { type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import {
  attachResilience,
  DEFAULT_OPTIONS,
  NON_RETRYABLE_STATUS_CODES,
  RETRYABLE_STATUS_CODES,
  type ResilienceOptions,
} from '../src/index.js';
import { normalizeOptions } from '../src/options.js';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** Interceptors currently registered (ejected ones leave a null behind). */
const live = (manager: { handlers?: unknown[] }): number => (manager.handlers ?? []).filter(Boolean).length;
const interceptorCount = (instance: AxiosInstance): number =>
  live(instance.interceptors.request) + live(instance.interceptors.response);

/** An instance whose every request is answered 503 and counted. */
function alwaysUnavailable(): { instance: AxiosInstance; mock: MockAdapter } {
  const instance = axios.create();
  const mock = new MockAdapter(instance);
  mock.onAny().reply(503);
  return { instance, mock };
}

const BAD_VALUES: [keyof ResilienceOptions, unknown][] = [
  ['retries', -1],
  ['retries', 1.5],
  ['retries', Number.NaN],
  ['retries', Number.POSITIVE_INFINITY],
  ['retries', '3'],
  ['baseDelayMs', -1],
  ['baseDelayMs', Number.NaN],
  ['baseDelayMs', Number.POSITIVE_INFINITY],
  ['baseDelayMs', '100'],
  ['maxDelayMs', -1],
  ['maxDelayMs', Number.POSITIVE_INFINITY],
  ['maxDelayMs', null],
  ['jitter', 1.5],
  ['jitter', -0.1],
  ['jitter', Number.NaN],
  ['jitter', 'random'],
  ['methods', 'GET'],
  ['methods', [1]],
  ['methods', ['']],
  ['retryOnStatus', 503],
  ['retryOnStatus', ['503']],
  ['retryOnStatus', [99]],
  ['retryOnStatus', [600]],
  ['retryOnErrorCodes', 'ECONNRESET'],
  ['retryOnErrorCodes', [42]],
  ['respectRetryAfter', 'yes'],
  ['respectRetryAfter', 1],
  ['maxRetryAfterMs', -1],
  ['maxRetryAfterMs', Number.NaN],
  ['deadlineMs', -1],
  ['deadlineMs', Number.POSITIVE_INFINITY],
  ['retryBudget', 'none'],
  ['retryBudget', true],
  ['retryBudget', { ratio: -1 }],
  ['retryBudget', { minPerSecond: Number.NaN }],
  ['retryBudget', { window: 1000 }],
  ['idempotencyKey', 'yes'],
  ['shouldRetry', true],
  ['onRetry', 'log'],
  ['onGiveUp', {}],
  ['logger', {}],
  ['logger', { debug() {}, info() {} }],
  ['resume', 'true'],
  ['stallTimeoutMs', -1],
];

describe('options', () => {
  it.each(BAD_VALUES)('rejects `%s: %p` with a TypeError naming the option', (name, value) => {
    const error = thrown(() => attachResilience(axios.create(), { [name]: value } as ResilienceOptions));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(`\`${name}`);
  });

  it('words the message like p-retry: what was expected and what was given', () => {
    expect(() => attachResilience(axios.create(), { retries: -1 })).toThrow(
      new TypeError('Expected `retries` to be a non-negative integer, got -1'),
    );
  });

  it('rejects an unknown option name, naming it', () => {
    const options = { retry: 3 } as unknown as ResilienceOptions;
    expect(() => attachResilience(axios.create(), options)).toThrow(new TypeError('Unknown option `retry`'));
  });

  it('points out that `pool` only applies to createResilientAxios', () => {
    const options = { pool: {} } as unknown as ResilienceOptions;
    expect(() => attachResilience(axios.create(), options)).toThrow(/createResilientAxios/);
  });

  it('treats an option given as undefined as the default', () => {
    const resolved = normalizeOptions({ retries: undefined, jitter: undefined, methods: undefined });
    expect(resolved.retries).toBe(DEFAULT_OPTIONS.retries);
    expect(resolved.jitter).toBe(DEFAULT_OPTIONS.jitter);
    expect([...resolved.methods]).toEqual(DEFAULT_OPTIONS.methods);
  });

  it('retries the default 3 times when `retries` is undefined', async () => {
    const { instance, mock } = alwaysUnavailable();
    attachResilience(instance, { retries: undefined, baseDelayMs: 0 });
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(4);
  });

  it('attaches nothing when an option is invalid', () => {
    const instance = axios.create();
    const before = interceptorCount(instance);
    expect(() => attachResilience(instance, { retries: -1 })).toThrow(TypeError);
    expect(interceptorCount(instance)).toBe(before);
    expect(() => attachResilience(instance, { retries: 1 })).not.toThrow();
  });

  it('rejects a request with invalid per-request options before anything is sent', async () => {
    const { instance, mock } = alwaysUnavailable();
    attachResilience(instance);
    const error = await instance.get('/x', { resilience: { retries: -2 } }).catch((e: unknown) => e);
    expect(error).toEqual(new TypeError('Expected `retries` to be a non-negative integer, got -2'));
    expect(mock.history.get).toHaveLength(0);
  });

  it('rejects an unknown per-request option before anything is sent', async () => {
    const { instance, mock } = alwaysUnavailable();
    attachResilience(instance);
    const resilience = { retires: 2 } as unknown as ResilienceOptions;
    await expect(instance.get('/x', { resilience })).rejects.toThrow(
      new TypeError('Unknown option `retires`'),
    );
    expect(mock.history.get).toHaveLength(0);
  });
});

describe('attach and detach', () => {
  it('refuses to attach twice to the same instance, saying so', () => {
    const instance = axios.create();
    attachResilience(instance);
    expect(() => attachResilience(instance)).toThrow(/already/);
  });

  it('rejects something that is not an axios instance', () => {
    expect(() => attachResilience({} as AxiosInstance)).toThrow(TypeError);
  });

  it('removes every interceptor it installed on detach', () => {
    const instance = axios.create();
    const before = interceptorCount(instance);
    attachResilience(instance).detach();
    expect(interceptorCount(instance)).toBe(before);
  });

  it('stops retrying once detached', async () => {
    const { instance, mock } = alwaysUnavailable();
    attachResilience(instance, { baseDelayMs: 0 }).detach();
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(1);
  });

  it('can be attached again after detach, and then retries', async () => {
    const { instance, mock } = alwaysUnavailable();
    attachResilience(instance, { baseDelayMs: 0 }).detach();
    attachResilience(instance, { retries: 1, baseDelayMs: 0 });
    await expect(instance.get('/x')).rejects.toThrow('503');
    expect(mock.history.get).toHaveLength(2);
  });

  it('leaves interceptors.response.use working normally after detach', () => {
    const instance = axios.create();
    attachResilience(instance).detach();
    const id = instance.interceptors.response.use((r) => r);
    expect(live(instance.interceptors.response)).toBe(1);
    instance.interceptors.response.eject(id);
    expect(live(instance.interceptors.response)).toBe(0);
  });
});

describe('status code constants', () => {
  it("are the seed's lists", () => {
    expect(RETRYABLE_STATUS_CODES).toEqual([408, 429, 502, 503, 504]);
    expect(NON_RETRYABLE_STATUS_CODES).toEqual([400, 401, 403, 404, 405, 406]);
  });

  it('share no status', () => {
    expect(RETRYABLE_STATUS_CODES.filter((s) => NON_RETRYABLE_STATUS_CODES.includes(s))).toEqual([]);
  });

  it('cannot be changed at run time', () => {
    expect(() => (RETRYABLE_STATUS_CODES as number[]).push(500)).toThrow(TypeError);
    expect(() => {
      (NON_RETRYABLE_STATUS_CODES as number[])[0] = 503;
    }).toThrow(TypeError);
    expect(RETRYABLE_STATUS_CODES).toEqual([408, 429, 502, 503, 504]);
    expect(NON_RETRYABLE_STATUS_CODES).toEqual([400, 401, 403, 404, 405, 406]);
  });
});
