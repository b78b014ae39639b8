import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { attachResilience, getRetryState, type ResilienceOptions } from '../../src/index.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/server.js';
import { rejectionOf } from '../helpers/outcome.js';

let server: TestServer;
let agent: http.Agent;

beforeEach(async () => {
  server = await startTestServer();
  agent = new http.Agent({ keepAlive: true });
});

afterEach(async () => {
  agent.destroy();
  await server.close();
});

/** An instance on the test server with resilience attached; 1 ms waits, no budget. */
function resilient(options: ResilienceOptions = {}, baseURL = server.url): AxiosInstance {
  const instance = axios.create({ baseURL, httpAgent: agent });
  attachResilience(instance, { baseDelayMs: 1, retryBudget: false, ...options });
  return instance;
}

describe('against a real server', () => {
  it('retries a GET whose connection was reset before the request was read', async () => {
    server.plan('/x', [{ resetBeforeBody: true }, { body: 'ok' }]);
    await expect(resilient().get('/x')).resolves.toMatchObject({ data: 'ok' });
    expect(server.hits('/x')).toBe(2);
  });

  it('retries a GET whose connection was reset after the request was read', async () => {
    server.plan('/x', [{ resetAfterBody: true }, { body: 'ok' }]);
    await expect(resilient().get('/x')).resolves.toMatchObject({ data: 'ok' });
    expect(server.hits('/x')).toBe(2);
  });

  it('retries a GET that timed out (ECONNABORTED) on a server that hung', async () => {
    server.plan('/x', [{ hang: true }, { body: 'ok' }]);
    const seen: string[] = [];
    const api = resilient({ onRetry: ({ reason }) => void seen.push(reason) });
    await expect(api.get('/x', { timeout: 50 })).resolves.toMatchObject({ data: 'ok' });
    expect(seen).toEqual(['ECONNABORTED']);
  });

  it('retries a POST whose connection was refused, since nothing reached a server', async () => {
    const port = await closedPort();
    const api = resilient({ retries: 2 }, `http://127.0.0.1:${port}`);
    const error = await rejectionOf(api.post('/orders', { item: 1 }));
    expect(error.code).toBe('ECONNREFUSED');
    expect(getRetryState(error)).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });

  it('does not retry a POST whose connection was reset after the server read it', async () => {
    server.plan('/orders', [{ resetAfterBody: true }, { status: 201 }]);
    const error = await rejectionOf(resilient().post('/orders', { item: 1 }));
    expect(error.code).toBe('ECONNRESET');
    expect(server.hits('/orders')).toBe(1);
  });

  it('sends the same JSON bytes and content type on every attempt', async () => {
    server.plan('/doc', [{ status: 503 }, { status: 200 }]);
    await resilient().put('/doc', { name: 'ü', n: [1, 2] });
    const [first, second] = server.requests;
    expect(second?.body.toString()).toBe('{"name":"ü","n":[1,2]}');
    expect(second?.body.equals(first!.body)).toBe(true);
    expect(second?.headers['content-type']).toBe(first?.headers['content-type']);
  });

  it.each([429, 503])('honours `Retry-After: 0` on a %i instead of backing off', async (status) => {
    server.plan('/x', [{ status, headers: { 'Retry-After': '0' } }, { body: 'ok' }]);
    const response = await resilient({ baseDelayMs: 60_000 }).get('/x');
    expect(response.data).toBe('ok');
    expect(getRetryState(response)?.delaysMs).toEqual([0]);
  });

  it('retries a POST answered 503 with Retry-After, at the server', async () => {
    server.plan('/orders', [{ status: 503, headers: { 'Retry-After': '0' } }, { status: 201 }]);
    await expect(resilient().post('/orders', { item: 1 })).resolves.toMatchObject({ status: 201 });
    expect(server.hits('/orders')).toBe(2);
  });

  it('fails at once with the 503 when Retry-After asks for more than maxRetryAfterMs', async () => {
    server.plan('/x', [{ status: 503, headers: { 'Retry-After': '3600' } }, { body: 'ok' }]);
    const error = await rejectionOf(resilient().get('/x'));
    expect(error.response?.status).toBe(503);
    expect(getRetryState(error)?.reason).toBe('retry-after-too-long');
    expect(server.hits('/x')).toBe(1);
  });

  it('picks up a refreshed token from a request interceptor on the retry', async () => {
    server.plan('/me', [{ status: 503 }, { body: 'ok' }]);
    const api = resilient();
    let version = 0;
    api.interceptors.request.use((config) => {
      config.headers.set('Authorization', `Bearer t${++version}`);
      return config;
    });
    await api.get('/me');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });
});
