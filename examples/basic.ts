import axios from 'axios';
// in your code: from 'axios-resilience'
import { attachResilience, createResilientAxios, getRetryState } from '../src/index.js';

/**
 * The two ways in: make an axios instance you already have resilient, or let
 * `createResilientAxios` build one (with keep-alive agents on Node).
 */
export async function main(baseURL: string): Promise<void> {
  // 1. Your existing instance keeps its defaults and interceptors; retries go through it.
  const client = axios.create({ baseURL, timeout: 5_000 });
  const handle = attachResilience(client, { retries: 3, baseDelayMs: 100 });

  const response = await client.get('/flaky?fail=2&with=503');
  // getRetryState tells how it went: { attempts: 3, delaysMs: [..., ...], elapsedMs: ... }
  console.log('attachResilience:', response.status, getRetryState(response));
  handle.detach(); // back to a plain instance

  // 2. A new instance. Everything under `axios` goes to axios.create().
  const api = createResilientAxios({ retries: 3, baseDelayMs: 100, axios: { baseURL, timeout: 5_000 } });
  try {
    const { data } = await api.get<{ ok: boolean; attempt: number }>('/flaky?fail=1&with=reset');
    console.log('createResilientAxios:', data);
  } finally {
    await api.close(); // frees the pooled sockets
  }
}
