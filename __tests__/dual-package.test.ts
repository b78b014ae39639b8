/**
 * Two copies of the package in one process (its ESM and CJS builds, as an app that mixes
 * `import` and `require` gets): they must recognise each other's marks, not reset each other.
 * Runs dist/ (built by `npm test`'s pretest) in a child `node`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..');
const esmEntry = pathToFileURL(join(root, 'dist', 'esm', 'index.js')).href;
const cjsEntry = join(root, 'dist', 'cjs', 'index.js');

const SCRIPT = `
import http from 'node:http';
import { createRequire } from 'node:module';
import axios from 'axios';
const esm = await import(${JSON.stringify(esmEntry)});
const cjs = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});
let hits = 0;
const server = http.createServer((req, res) => {
  hits += 1;
  res.writeHead(503, { 'content-length': 0, connection: 'close' });
  res.end();
});
server.listen(0, '127.0.0.1', async () => {
  const out = {};
  try {
    const api = axios.create({ baseURL: 'http://127.0.0.1:' + server.address().port });
    esm.attachResilience(api, { retries: 2, baseDelayMs: 1, jitter: 'none' });
    try {
      cjs.attachResilience(api, { retries: 2, baseDelayMs: 1 });
      out.secondAttach = 'attached';
    } catch (error) {
      out.secondAttach = error.message;
    }
    const error = await api.get('/').catch((e) => e);
    out.hits = hits;
    out.stateSeenByOtherCopy = cjs.getRetryState(error);
    const other = axios.create({ baseURL: 'http://127.0.0.1:' + server.address().port });
    try {
      cjs.attachResilience(other, { retryBudget: esm.createRetryBudget({ minPerSecond: 0, ratio: 0 }), baseDelayMs: 1 });
      out.sharedBudget = 'accepted';
      hits = 0;
      await other.get('/').catch(() => undefined);
      out.hitsWithEmptyBudget = hits;
    } catch (error) {
      out.sharedBudget = error.message;
    }
  } finally {
    server.close();
    console.log(JSON.stringify(out));
  }
});
`;

interface Outcome {
  secondAttach: string;
  hits: number;
  stateSeenByOtherCopy: { attempts: number; reason: string } | undefined;
  sharedBudget: string;
  hitsWithEmptyBudget: number;
}

let outcome: Promise<Outcome> | undefined;
const run = (): Promise<Outcome> =>
  (outcome ??= new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT],
      { cwd: root, timeout: 10_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Outcome);
      },
    );
  }));

describe('the ESM and CJS builds loaded in one process', () => {
  it('refuses a second attach by the other copy, as the first copy would', async () => {
    expect((await run()).secondAttach).toMatch(/already called on this axios instance/);
  });

  it('makes retries + 1 requests, not a storm', async () => {
    expect((await run()).hits).toBe(3);
  });

  it("reads the other copy's retry state", async () => {
    expect((await run()).stateSeenByOtherCopy).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });

  it("accepts the other copy's shared retry budget, and obeys it", async () => {
    const result = await run();
    expect(result.sharedBudget).toBe('accepted');
    expect(result.hitsWithEmptyBudget).toBe(1);
  });
});
