/** The `diagnostics_channel` channels, published whether or not `telemetry` is set. */
import diagnostics from 'node:diagnostics_channel';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { attachResilience, combineTelemetry, type ResilienceOptions } from '../../src/index.js';
import {
  CIRCUIT_CHANNEL,
  diagnosticsTelemetry,
  GIVE_UP_CHANNEL,
  RETRY_CHANNEL,
  type CircuitMessage,
  type GiveUpMessage,
  type RetryMessage,
} from '../../src/telemetry/diagnostics.js';
import type { RequestTelemetry, ResilienceTelemetry } from '../../src/telemetry/types.js';
import { rejectionOf } from '../helpers/outcome.js';
import { requestInfo } from '../helpers/request-info.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const unsubscribes: Array<() => void> = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  await server.close();
});

/** Every message published on `name` from now until the test ends. */
function listen<T>(name: string): T[] {
  const messages: T[] = [];
  const onMessage = (message: unknown): void => {
    messages.push(message as T);
  };
  diagnostics.subscribe(name, onMessage);
  unsubscribes.push(() => diagnostics.unsubscribe(name, onMessage));
  return messages;
}

function client(options: ResilienceOptions = {}): AxiosInstance {
  const instance = axios.create({ baseURL: server.url });
  attachResilience(instance, { baseDelayMs: 1, jitter: 'none', ...options });
  return instance;
}

const info = requestInfo();

describe('axios-resilience:retry', () => {
  it('tells each retry: the attempt that failed, the wait, the reason and the config', async () => {
    const retries = listen<RetryMessage>(RETRY_CHANNEL);
    server.plan('/flaky', [{ status: 503 }, { status: 502 }, { status: 200 }]);
    await client().get('/flaky', { headers: { 'x-trace': 'abc' } });
    expect(retries.map(({ attempt, delayMs, reason }) => ({ attempt, delayMs, reason }))).toEqual([
      { attempt: 1, delayMs: 1, reason: 'status 503' },
      { attempt: 2, delayMs: 2, reason: 'status 502' },
    ]);
    expect(retries.map((message) => [message.config.url, message.config.headers.get('x-trace')])).toEqual([
      ['/flaky', 'abc'],
      ['/flaky', 'abc'],
    ]);
  });

  it('publishes nothing for a call that succeeds at once', async () => {
    const retries = listen<RetryMessage>(RETRY_CHANNEL);
    const giveUps = listen<GiveUpMessage>(GIVE_UP_CHANNEL);
    await client().get('/items');
    expect(retries).toEqual([]);
    expect(giveUps).toEqual([]);
  });
});

describe('axios-resilience:give-up', () => {
  it('tells a call that ran out of retries, with its attempts, reason and the AxiosError', async () => {
    const giveUps = listen<GiveUpMessage>(GIVE_UP_CHANNEL);
    server.plan('/down', [{ status: 503 }]);
    const error = await rejectionOf(client({ retries: 2 }).get('/down'));
    expect(giveUps).toHaveLength(1);
    expect(giveUps[0]).toEqual({ attempts: 3, reason: 'exhausted', error });
    expect(isAxiosError(giveUps[0]!.error)).toBe(true);
  });

  it('tells a call that was not retried at all', async () => {
    const giveUps = listen<GiveUpMessage>(GIVE_UP_CHANNEL);
    server.plan('/orders', [{ status: 502 }]);
    await rejectionOf(client().post('/orders', {}));
    expect(giveUps.map(({ attempts, reason }) => ({ attempts, reason }))).toEqual([
      { attempts: 1, reason: 'not-retryable' },
    ]);
  });
});

describe('axios-resilience:circuit', () => {
  it('tells each transition of a scope’s circuit', async () => {
    const circuits = listen<CircuitMessage>(CIRCUIT_CHANNEL);
    server.plan('/down', [{ status: 503 }]);
    const api = client({
      retries: 0,
      circuitBreaker: { minimumThroughput: 2, failureRatio: 0.5, breakDurationMs: 60_000 },
    });
    await rejectionOf(api.get('/down'));
    await rejectionOf(api.get('/down'));
    expect(circuits).toEqual([{ scope: `http://127.0.0.1:${server.port}`, from: 'closed', to: 'open' }]);
  });
});

describe('without subscribers', () => {
  it('observes no request', () => {
    expect(diagnosticsTelemetry()!.startRequest(info)).toBeUndefined();
  });

  it('observes requests once a channel has a subscriber, and stops when it leaves', () => {
    listen(GIVE_UP_CHANNEL);
    expect(diagnosticsTelemetry()!.startRequest(info)).toBeDefined();
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    expect(diagnosticsTelemetry()!.startRequest(info)).toBeUndefined();
  });
});

describe('alongside a telemetry sink', () => {
  /** A sink that writes down what it hears. */
  function recordingSink(log: string[]): ResilienceTelemetry {
    const request: RequestTelemetry = {
      runAttempt: (send) => {
        log.push('attempt');
        return send();
      },
      retry: ({ attempt }) => log.push(`retry ${attempt}`),
      hedge: () => log.push('hedge'),
      pause: () => log.push('pause'),
      end: ({ reason }) => log.push(`end ${reason ?? 'ok'}`),
    };
    return { startRequest: () => request, circuit: ({ to }) => log.push(`circuit ${to}`) };
  }

  it('publishes to the channels and tells the sink too', async () => {
    const retries = listen<RetryMessage>(RETRY_CHANNEL);
    const log: string[] = [];
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    await client({ telemetry: recordingSink(log) }).get('/flaky');
    expect(retries).toHaveLength(1);
    expect(log).toEqual(['attempt', 'retry 1', 'attempt', 'end ok']);
  });

  it('combineTelemetry tells both sinks every event, in order', async () => {
    const first: string[] = [];
    const second: string[] = [];
    server.plan('/down', [{ status: 503 }]);
    const telemetry = combineTelemetry(recordingSink(first), recordingSink(second));
    await rejectionOf(client({ retries: 1, telemetry: telemetry! }).get('/down'));
    const expected = ['attempt', 'retry 1', 'attempt', 'end exhausted'];
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
  });

  it("tells the sink the request's method, full URL and scope", async () => {
    const seen: string[] = [];
    const sink: ResilienceTelemetry = {
      startRequest: (request) => {
        seen.push(request.method, request.url, request.scope);
        return undefined;
      },
    };
    await client({ telemetry: sink }).get('/items', { params: { page: 2 } });
    expect(seen).toEqual(['GET', `${server.url}/items?page=2`, `http://127.0.0.1:${server.port}`]);
  });

  it('calls a custom scope for telemetry only when a sink reads it', async () => {
    let calls = 0;
    const scope = (): string => {
      calls += 1;
      return 'billing';
    };
    const silent: ResilienceTelemetry = { startRequest: () => undefined };
    await client({ telemetry: silent, scope, pacing: false }).get('/items');
    expect(calls).toBe(0);
  });

  it('combineTelemetry of one sink is that sink', () => {
    const sink = recordingSink([]);
    expect(combineTelemetry(sink, undefined)).toBe(sink);
    expect(combineTelemetry(undefined, sink)).toBe(sink);
    expect(combineTelemetry(undefined, undefined)).toBeUndefined();
  });
});

describe('a call that fails outside the retry loop', () => {
  it('gives up with the error the caller gets when an onRetry hook throws', async () => {
    const giveUps = listen<GiveUpMessage>(GIVE_UP_CHANNEL);
    server.plan('/flaky', [{ status: 503 }, { status: 200 }]);
    const hookError = new Error('hook failed');
    const api = client({
      onRetry: () => {
        throw hookError;
      },
    });
    await expect(api.get('/flaky')).rejects.toBe(hookError);
    expect(giveUps).toEqual([{ attempts: 1, reason: 'not-retryable', error: hookError }]);
  });
});
