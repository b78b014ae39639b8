import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import {
  createResilientAxios,
  type ResilientAxiosInstance,
  type ResilientAxiosOptions,
} from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const made: ResilientAxiosInstance[] = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await Promise.all(made.splice(0).map((api) => api.close()));
  await server.close();
});

/** A factory instance on the test server (closed after the test); 1 ms waits, no budget. */
function create(options: ResilientAxiosOptions = {}): ResilientAxiosInstance {
  const api = createResilientAxios({
    baseDelayMs: 1,
    retryBudget: false,
    ...options,
    axios: { baseURL: server.url, ...options.axios },
  });
  made.push(api);
  return api;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Polls `probe` until it holds or `ms` pass; sockets close asynchronously on the server side. */
async function eventually(probe: () => boolean, ms = 1000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!probe() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  return probe();
}

describe('createResilientAxios', () => {
  it('gives a plain axios instance plus stream, download, close and the resilience handle', () => {
    const api = create();
    for (const method of ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'request'] as const) {
      expect(typeof api[method]).toBe('function');
    }
    expect(typeof api.stream).toBe('function');
    expect(typeof api.download).toBe('function');
    expect(typeof api.close).toBe('function');
    expect(typeof api.resilience.stats).toBe('function');
    expect(typeof api.resilience.detach).toBe('function');
  });

  it('passes `axios` options to axios.create()', () => {
    const api = create({ axios: { timeout: 1234, headers: { 'X-App': 'demo' } } });
    expect(api.defaults.baseURL).toBe(server.url);
    expect(api.defaults.timeout).toBe(1234);
    expect(api.defaults.headers['X-App']).toBe('demo');
  });

  it('retries through every method like attachResilience does', async () => {
    server.plan('/items', [{ status: 503 }, { status: 200, body: '[]' }]);
    const api = create();
    await expect(api.get('/items')).resolves.toMatchObject({ data: [] });
    expect(server.hits('/items')).toBe(2);
    expect(api.resilience.stats()).toMatchObject({ requests: 1, retries: 1, successes: 1 });
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => createResilientAxios({ retries: -1 })).toThrow(/`retries`/);
    expect(() => createResilientAxios({ pool: { maxSockets: 0 } })).toThrow(/`pool\.maxSockets`/);
    expect(() => createResilientAxios({ pool: { max: 1 } as never })).toThrow(/`pool\.max`/);
    expect(() => createResilientAxios({ axios: 'http://x' as never })).toThrow(/`axios`/);
  });
});

describe('connection pool', () => {
  it('uses keep-alive agents with the default limits when none are given', () => {
    const api = create();
    const agent = api.defaults.httpAgent as http.Agent & { keepAlive: boolean; keepAliveMsecs: number };
    expect(agent).toBeInstanceOf(http.Agent);
    expect(agent.keepAlive).toBe(true);
    expect(agent.maxSockets).toBe(100);
    expect(agent.maxFreeSockets).toBe(20);
    expect(agent.keepAliveMsecs).toBe(1000);
    expect(api.defaults.httpsAgent).toBeInstanceOf(https.Agent);
  });

  it('keeps the agent the caller passes', () => {
    const own = new http.Agent();
    try {
      const api = create({ axios: { httpAgent: own } });
      expect(api.defaults.httpAgent).toBe(own);
    } finally {
      own.destroy();
    }
  });

  it('never opens more sockets than pool.maxSockets', async () => {
    let inFlight = 0;
    let most = 0;
    server.handle('/slow', (_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end('ok');
      }, 20);
    });
    const api = create({ pool: { maxSockets: 2 } });
    await Promise.all(Array.from({ length: 6 }, () => api.get('/slow')));
    expect(most).toBe(2);
    expect(server.hits('/slow')).toBe(6);
  });

  it('reuses one socket for requests made one after another', async () => {
    const api = create();
    await api.get('/a');
    await api.get('/b');
    await api.get('/c');
    expect(server.openSockets()).toBe(1);
  });

  it('frees the pooled sockets on close(), and still works afterwards', async () => {
    const api = create();
    await api.get('/a');
    expect(server.openSockets()).toBe(1);
    await api.close();
    expect(await eventually(() => server.openSockets() === 0)).toBe(true);
    await expect(api.get('/b')).resolves.toMatchObject({ data: 'ok' });
  });
});

describe('stream()', () => {
  it('opens the body as a Node stream', async () => {
    server.plan('/file', [{ body: 'hello stream' }]);
    const response = await create().stream('GET', '/file');
    expect(await readAll(response.data)).toBe('hello stream');
  });

  it('retries a 503 while opening, and the caller reads only the final body', async () => {
    server.plan('/file', [{ status: 503, body: 'busy' }, { body: 'hello stream' }]);
    const response = await create().stream('GET', '/file');
    expect(await readAll(response.data)).toBe('hello stream');
    expect(server.hits('/file')).toBe(2);
  });

  it('destroys the discarded 503 body so its socket is not leaked', async () => {
    server.plan('/file', [{ status: 503, body: 'x'.repeat(64 * 1024) }, { body: 'hello stream' }]);
    const response = await create().stream('GET', '/file');
    await readAll(response.data);
    // Left unread, the 503 body would hold its socket open beside the one that is reused.
    expect(await eventually(() => server.openSockets() === 1)).toBe(true);
  });

  it('does not retry a stream opened with `resilience: false`', async () => {
    server.plan('/file', [{ status: 503 }, { body: 'hello stream' }]);
    await expect(create().stream('GET', '/file', { resilience: false })).rejects.toMatchObject({
      response: { status: 503 },
    });
    expect(server.hits('/file')).toBe(1);
  });
});
