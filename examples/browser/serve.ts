// npm run example:browser [-- --port 8080] [-- --check]
//
// Bundles main.ts for the browser (esbuild) into dist/, then serves the page on one port of
// 127.0.0.1 and a flaky API with CORS on another (a second origin, so CORS really applies).
// --check starts everything, fetches the page, its script and one API route once, and exits 0.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const here = __dirname;
const args = process.argv.slice(2);
const check = args.includes('--check');
const portArg = args.indexOf('--port');
const pagePort = portArg >= 0 ? Number(args[portArg + 1]) : 0;

/** One scripted answer of the flaky API; `reset` drops the connection unanswered. */
type Answer = { status: number; headers?: Record<string, string> } | 'reset';

const exposeRetryAfter = { 'Access-Control-Expose-Headers': 'Retry-After' };

/** Each route's answers, in order; the last one repeats. Counted per route and `?run=`. */
const scripts: Record<string, Answer[]> = {
  '/flaky': [{ status: 503 }, { status: 503 }, { status: 200 }],
  '/rate-limited': [{ status: 429, headers: { 'Retry-After': '2', ...exposeRetryAfter } }, { status: 200 }],
  // The browser hides Retry-After here (not exposed), so the client falls back to its backoff.
  '/hidden-retry-after': [{ status: 503, headers: { 'Retry-After': '2' } }, { status: 200 }],
  '/reset': ['reset', 'reset', { status: 200 }],
  '/down': [{ status: 503 }],
  '/slow': [{ status: 503, headers: { 'Retry-After': '10', ...exposeRetryAfter } }, { status: 200 }],
  '/orders': [{ status: 503 }, { status: 201 }],
};

const counters = new Map<string, number>();

function api(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  res.setHeader('Access-Control-Allow-Origin', '*');
  // A fresh connection per request: Chromium silently resends a GET once when a reused keep-alive
  // connection drops, which would make the server's count differ from the page's attempts.
  res.setHeader('Connection', 'close');
  if (req.method === 'OPTIONS') {
    // Fetch standard §3.2.2 (CORS preflight): allow the method and headers the page asks for.
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, PATCH',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
    });
    res.end();
    return;
  }
  const script = scripts[url.pathname];
  if (!script) {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"no such route"}');
    return;
  }
  const key = `${req.method} ${url.pathname} ${url.searchParams.get('run') ?? ''}`;
  const seen = counters.get(key) ?? 0;
  counters.set(key, seen + 1);
  const answer = script[Math.min(seen, script.length - 1)]!;
  console.log(`${req.method} ${req.url} → ${answer === 'reset' ? 'connection dropped' : answer.status}`);
  if (answer === 'reset') {
    req.socket.destroy();
    return;
  }
  const body = JSON.stringify(
    answer.status < 300 ? { ok: true, attempt: seen + 1 } : { status: answer.status },
  );
  res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).end(body);
}

async function page(html: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  } else if (req.url === '/favicon.ico') {
    res.writeHead(204).end();
  } else if (req.url === '/dist/main.js') {
    const script = await readFile(path.join(here, 'dist/main.js'));
    res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
  } else {
    res.writeHead(404).end('not found');
  }
}

function listen(server: http.Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function smokeCheck(pageUrl: string, apiUrl: string): Promise<void> {
  const html = await fetch(`${pageUrl}/`);
  const text = await html.text();
  if (!html.ok || !text.includes(apiUrl)) throw new Error(`page: ${html.status}`);
  const script = await fetch(`${pageUrl}/dist/main.js`);
  if (!script.ok || (await script.text()).length === 0) throw new Error(`script: ${script.status}`);
  const flaky = await fetch(`${apiUrl}/flaky?run=check`, { headers: { Origin: pageUrl } });
  await flaky.arrayBuffer();
  if (flaky.status !== 503 || flaky.headers.get('access-control-allow-origin') !== '*') {
    throw new Error(`api: ${flaky.status}`);
  }
}

async function main(): Promise<void> {
  await build({
    entryPoints: [path.join(here, 'main.ts')],
    outfile: path.join(here, 'dist/main.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    sourcemap: true,
    logLevel: 'warning',
  });
  const apiServer = http.createServer(api);
  let html = '';
  const pageServer = http.createServer((req, res) => {
    page(html, req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  const apiUrl = await listen(apiServer, 0);
  const pageUrl = await listen(pageServer, pagePort);
  html = (await readFile(path.join(here, 'index.html'), 'utf8')).replaceAll('%API_ORIGIN%', apiUrl);

  const shutdown = async (): Promise<void> => {
    await Promise.all([close(pageServer), close(apiServer)]);
  };
  if (check) {
    try {
      await smokeCheck(pageUrl, apiUrl);
      console.log(`example:browser check ok (${pageUrl}, API ${apiUrl})`);
    } finally {
      await shutdown();
    }
    return;
  }
  console.log(`axios-resilience browser example: open ${pageUrl}/  (flaky API at ${apiUrl})`);
  console.log('Press Ctrl+C to stop.');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log('\nstopping');
      void shutdown().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
