/** The circuit breaker per scope, through the plugin, on the real test server. */
import axios, { type AxiosInstance } from 'axios';
import {
  attachResilience,
  getRetryState,
  isCircuitOpenError,
  type CircuitStateChange,
  type ResilienceHandle,
  type ResilienceOptions,
} from '../../src/index.js';
import { rejectionOf } from '../helpers/outcome.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let other: TestServer;

beforeEach(async () => {
  server = await startTestServer();
  other = await startTestServer();
});

afterEach(async () => {
  await server.close();
  await other.close();
});

const BREAKER = { minimumThroughput: 4, failureRatio: 0.5, breakDurationMs: 60, maxBreakDurationMs: 200 };

function attached(options: ResilienceOptions = {}): {
  instance: AxiosInstance;
  handle: ResilienceHandle;
  changes: CircuitStateChange[];
  scope: string;
} {
  const changes: CircuitStateChange[] = [];
  const instance = axios.create({ baseURL: server.url });
  const handle = attachResilience(instance, {
    baseDelayMs: 1,
    jitter: 'none',
    retries: 0,
    circuitBreaker: { ...BREAKER, onStateChange: (change) => void changes.push(change) },
    ...options,
  });
  return { instance, handle, changes, scope: `http://127.0.0.1:${server.port}` };
}

async function fail(instance: AxiosInstance, times: number, path = '/down'): Promise<void> {
  server.plan(path, [{ status: 503 }]);
  for (let i = 0; i < times; i++) await rejectionOf(instance.get(path));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('an open circuit', () => {
  it('rejects a new call at once, unsent, with a CircuitOpenError', async () => {
    const { instance, handle, scope } = attached();
    await fail(instance, 4);

    const error = await rejectionOf(instance.get('/any'));

    expect(isCircuitOpenError(error)).toBe(true);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', scope });
    expect(error.response).toBeUndefined();
    expect((error as unknown as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(error.config?.url).toBe('/any');
    expect(getRetryState(error)?.reason).toBe('circuit-open');
    expect(server.hits('/any')).toBe(0);
    expect(handle.stats()).toMatchObject({ requests: 5, attempts: 4, circuitOpens: 1, circuitRejections: 1 });
    expect(handle.stats().giveUps['circuit-open']).toBe(1);
  });

  it('does not send a retry, and gives up with the last real error', async () => {
    const { instance, handle } = attached({ retries: 6 });
    server.plan('/down', [{ status: 503 }]);
    // Retries of the first call are failures too: the fourth attempt opens the circuit.
    const error = await rejectionOf(instance.get('/down'));

    expect(error.response?.status).toBe(503);
    expect(getRetryState(error)).toMatchObject({ attempts: 4, reason: 'circuit-open' });
    expect(server.hits('/down')).toBe(4);
    expect(handle.stats().circuitRejections).toBe(1);
  });

  it('keeps other scopes closed', async () => {
    const { instance, handle, scope } = attached();
    await fail(instance, 4);

    expect((await instance.get(`${other.url}/fine`)).status).toBe(200);
    expect(handle.circuitState(scope)).toBe('open');
    expect(handle.circuitState(`http://127.0.0.1:${other.port}`)).toBe('closed');
  });

  it('is bypassed by a request with `circuitBreaker: false`, which does not feed it either', async () => {
    const { instance, handle, scope } = attached();
    await fail(instance, 4);

    expect((await instance.get('/any', { resilience: { circuitBreaker: false } })).status).toBe(200);
    expect(handle.circuitState(scope)).toBe('open');
  });
});

describe('the state machine, through the plugin', () => {
  it('lets one probe through after the break, and closes on its success', async () => {
    const { instance, handle, changes, scope } = attached();
    await fail(instance, 4);
    await sleep(80);

    expect(handle.circuitState(scope)).toBe('half-open');
    expect((await instance.get('/up')).status).toBe(200);
    expect(handle.circuitState(scope)).toBe('closed');
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>closed',
    ]);
    expect(changes[0]?.scope).toBe(scope);
  });

  it('rejects a second call while the probe is in flight, with retryAfterMs 0', async () => {
    const { instance } = attached();
    await fail(instance, 4);
    await sleep(80);
    let answer: (() => void) | undefined;
    server.handle('/slow', (_req, res) => {
      answer = () => res.end('ok');
    });
    const probe = instance.get('/slow');
    while (answer === undefined) await sleep(2);

    const error = await rejectionOf(instance.get('/slow'));

    expect(error).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', retryAfterMs: 0 });
    answer();
    await probe;
  });

  it('re-opens with a doubled break when the probe fails', async () => {
    const { instance, handle, scope } = attached();
    await fail(instance, 4);
    await sleep(80);
    const probeSent = Date.now();
    await rejectionOf(instance.get('/down'));

    expect(handle.circuitState(scope)).toBe('open');
    const error = await rejectionOf(instance.get('/any'));
    // The break is 120 ms now: what is left of it, plus the time since the probe, exceeds the first 60.
    const { retryAfterMs } = error as unknown as { retryAfterMs: number };
    expect(retryAfterMs + (Date.now() - probeSent)).toBeGreaterThan(100);
    expect(handle.stats().circuitOpens).toBe(2);
  });

  it('counts 429 and other 4xx as the server answering, not as failures', async () => {
    const { instance, handle, scope } = attached();
    server.plan('/busy', [{ status: 429 }]);
    server.plan('/missing', [{ status: 404 }]);
    for (let i = 0; i < 4; i++) await rejectionOf(instance.get(i % 2 ? '/busy' : '/missing'));

    expect(handle.circuitState(scope)).toBe('closed');
  });

  it('counts refused connections as failures', async () => {
    const port = await closedPort();
    const instance = axios.create({ baseURL: `http://127.0.0.1:${port}` });
    const handle = attachResilience(instance, { retries: 0, circuitBreaker: BREAKER });
    for (let i = 0; i < 4; i++) await rejectionOf(instance.get('/x'));

    expect(handle.circuitState(`http://127.0.0.1:${port}`)).toBe('open');
  });

  it('works the same with the fetch adapter', async () => {
    const { instance, scope, handle } = attached();
    server.plan('/down', [{ status: 503 }]);
    for (let i = 0; i < 4; i++) await rejectionOf(instance.get('/down', { adapter: 'fetch' }));

    expect(handle.circuitState(scope)).toBe('open');
    expect(isCircuitOpenError(await rejectionOf(instance.get('/x', { adapter: 'fetch' })))).toBe(true);
  });

  it('logs each transition once, at warn level when it opens', async () => {
    const lines: Array<[string, string]> = [];
    const logger = {
      debug: () => undefined,
      info: (m: string) => void lines.push(['info', m]),
      warn: (m: string) => void lines.push(['warn', m]),
    };
    const { instance } = attached({ logger });
    await fail(instance, 6);

    const circuit = lines.filter(([, m]) => m.includes(' -> '));
    expect(circuit).toEqual([['warn', expect.stringContaining('closed -> open')]]);
  });
});

describe('options', () => {
  it('rejects a bad breaker option with a TypeError naming it', () => {
    const instance = axios.create();
    expect(() => attachResilience(instance, { circuitBreaker: { failureRatio: 2 } })).toThrow(
      /circuitBreaker\.failureRatio/,
    );
    expect(() => attachResilience(instance, { circuitBreaker: { halfOpenProbes: 0 } })).toThrow(
      /circuitBreaker\.halfOpenProbes/,
    );
  });

  it('is off by default: failures never reject a call unsent', async () => {
    const instance = axios.create({ baseURL: server.url });
    attachResilience(instance, { retries: 0 });
    await fail(instance, 20);

    expect((await instance.get('/up')).status).toBe(200);
  });
});
