/**
 * The built package as users get it: `npm test` builds dist/ first (pretest). Each check runs in a
 * child `node`, so jest's own module system and TypeScript transform play no part.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..');
const esmEntry = join(root, 'dist', 'esm', 'index.js');
const cjsEntry = join(root, 'dist', 'cjs', 'index.js');

const PUBLIC_EXPORTS = [
  'DEFAULT_OPTIONS',
  'NON_RETRYABLE_STATUS_CODES',
  'RETRYABLE_STATUS_CODES',
  'RetryBudget',
  'StreamResumeError',
  'attachResilience',
  'computeBackoff',
  'createResilientAxios',
  'createRetryBudget',
  'getRetryState',
  'isStreamResumeError',
  'parseRetryAfter',
];

/**
 * Plain JavaScript run against the loaded package (`lib`, `axios`, `http` in scope): a server that
 * answers 503 once and then 200, one GET through an attached instance, the outcome printed as JSON.
 */
const ONE_RETRY = `
let hits = 0;
const server = http.createServer((req, res) => {
  hits += 1;
  res.writeHead(hits === 1 ? 503 : 200, { 'content-length': 2, connection: 'close' });
  res.end('ok');
});
server.listen(0, '127.0.0.1', async () => {
  try {
    const api = axios.create({ baseURL: 'http://127.0.0.1:' + server.address().port });
    lib.attachResilience(api, { baseDelayMs: 1, jitter: 'none' });
    const response = await api.get('/');
    const state = lib.getRetryState(response);
    console.log(JSON.stringify({
      exports: Object.keys(lib).sort(),
      status: response.status,
      hits,
      attempts: state.attempts,
      delaysMs: state.delaysMs,
      frozen: Object.isFrozen(lib.RETRYABLE_STATUS_CODES),
    }));
  } finally {
    server.close();
  }
});
`;

interface Outcome {
  exports: string[];
  status: number;
  hits: number;
  attempts: number;
  delaysMs: number[];
  frozen: boolean;
}

function runNode(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Outcome);
    });
  });
}

// Each child runs once; the tests below read its outcome.
let imported: Promise<Outcome> | undefined;
let required: Promise<Outcome> | undefined;

const viaImport = (): Promise<Outcome> =>
  (imported ??= runNode([
    '--input-type=module',
    '-e',
    `import http from 'node:http';
     import axios from 'axios';
     const lib = await import(${JSON.stringify(pathToFileURL(esmEntry).href)});
     ${ONE_RETRY}`,
  ]));

const viaRequire = (): Promise<Outcome> =>
  (required ??= runNode([
    '-e',
    `const http = require('node:http');
     const axios = require('axios');
     const lib = require(${JSON.stringify(cjsEntry)});
     ${ONE_RETRY}`,
  ]));

describe('the built package', () => {
  it('has been built (run `npm run build`, which `npm test` does first)', () => {
    expect(existsSync(esmEntry)).toBe(true);
    expect(existsSync(cjsEntry)).toBe(true);
  });

  it('exports the public API through import() of dist/esm', async () => {
    const outcome = await viaImport();
    expect(outcome.exports).toEqual(expect.arrayContaining(PUBLIC_EXPORTS));
    expect(outcome.exports).not.toContain('default');
    expect(outcome.frozen).toBe(true);
  });

  it('exports the public API through require() of dist/cjs', async () => {
    const outcome = await viaRequire();
    expect(outcome.exports).toEqual(expect.arrayContaining(PUBLIC_EXPORTS));
    expect(outcome.frozen).toBe(true);
  });

  it('exports the same names through import() and require()', async () => {
    const [esm, cjs] = await Promise.all([viaImport(), viaRequire()]);
    expect(esm.exports).toEqual(cjs.exports);
  });

  it('retries a 503 once when loaded with import()', async () => {
    expect(await viaImport()).toMatchObject({ status: 200, hits: 2, attempts: 2, delaysMs: [1] });
  });

  it('retries a 503 once when loaded with require()', async () => {
    expect(await viaRequire()).toMatchObject({ status: 200, hits: 2, attempts: 2, delaysMs: [1] });
  });
});
