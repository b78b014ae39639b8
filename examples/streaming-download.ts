import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
// in your code: from 'axios-resilience'
import { createResilientAxios, getRetryState } from '../src/index.js';

/**
 * Large bodies. `api.stream()` retries while opening (a 503 before the body starts); with
 * `resume: true` a body cut mid-way continues with a Range request into the same stream.
 * `api.download()` writes a file, resuming by default, and leaves no partial file on failure.
 */
export async function main(baseURL: string): Promise<void> {
  const api = createResilientAxios({ retries: 3, baseDelayMs: 100, axios: { baseURL, timeout: 10_000 } });
  const dir = await mkdtemp(join(tmpdir(), 'axios-resilience-example-'));
  try {
    // 503 first: retried before any byte of the body is handed to you.
    const opened = await api.stream<Readable>('GET', '/file?size=1048576&fail=1&with=503');
    const whole = await sha256(opened.data);
    console.log('stream:', opened.status, getRetryState(opened), 'sha256', whole);

    // The connection drops after 300 000 bytes; resume asks for the rest (Range + If-Range).
    const resumed = await api.stream<Readable>('GET', '/file?size=1048576&cuts=1&cutAt=300000', {
      resilience: { resume: true },
    });
    const joined = await sha256(resumed.data);
    if (joined !== whole) throw new Error('the resumed body differs from the original');
    console.log('resumed stream: sha256', joined, '(same bytes as without the cut)');

    // Cut twice: download() resumes both times.
    const file = join(dir, 'data.bin');
    const result = await api.download('/file?size=1048576&cuts=2&cutAt=300000', file);
    console.log('download:', result, 'on disk:', (await stat(result.path)).size, 'bytes');
  } finally {
    await rm(dir, { recursive: true, force: true });
    await api.close();
  }
}

async function sha256(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}
