import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small, deliberately unreliable HTTP server for the demo and the examples. It listens on
 * 127.0.0.1 (a free port) and misbehaves as the query string asks:
 *
 * - `/flaky?fail=N&with=503` (any method): the first N requests answer 503 (or `with=429`,
 *   `with=502`, ..., or `with=reset` to drop the connection unanswered), then 200 with JSON.
 *   `retryAfter=S` adds a `Retry-After: S` header to the failures.
 * - `/outage`: always 503, no `Retry-After`. With `forMs=N`: 503 until N ms after the first
 *   request to that URL, then 200 (an upstream that goes down and comes back).
 * - `/limited?key=K&retryAfter=S`: a rate limiter shared by every URL with the same `key`: its
 *   first request is refused with 429 and `Retry-After: S`, and so is every request in the S
 *   seconds after that; then it lets everything through.
 * - `/slow?firstMs=N`: the first request to that URL answers 200 after N ms (unless the client
 *   gives up on it first: logged as `'aborted'`); later ones answer at once (a slow tail).
 * - `/file?size=N`: N deterministic bytes with an `ETag`, honouring `Range` and `If-Range`.
 *   `fail=K&with=503` fails the first K requests; `cuts=K&cutAt=M` drops the first K responses
 *   after M bytes of their body.
 *
 * Failure counters are kept per method and URL: add any extra parameter (`&run=2`) to start a
 * fresh one.
 */
export interface FlakyServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request answered (or dropped), in order. */
  readonly log: readonly ServerLogEntry[];
  /** Requests seen for `method` and `url` (path and query, as sent). */
  hits(method: string, url: string): number;
  close(): Promise<void>;
}

/** What the server did with one request. */
export interface ServerLogEntry {
  /** Milliseconds since the server started. */
  at: number;
  method: string;
  url: string;
  /** The status sent, `'reset'` (dropped unanswered) or `'cut@N'` (body dropped after N bytes). */
  outcome: string;
  idempotencyKey: string | undefined;
  range: string | undefined;
}

export interface FlakyServerOptions {
  /** Called after each request is logged. */
  onRequest?: (entry: ServerLogEntry) => void;
}

export async function startFlakyServer(options: FlakyServerOptions = {}): Promise<FlakyServer> {
  const started = performance.now();
  const log: ServerLogEntry[] = [];
  const counters = new Map<string, number>();
  /** When each `/outage?forMs` URL was first requested, in ms since the server started. */
  const firstSeen = new Map<string, number>();
  /** Per `/limited` key: until when it refuses, in ms since the server started. */
  const limiters = new Map<string, number>();
  const sockets = new Set<Socket>();

  const record = (req: http.IncomingMessage, outcome: string): void => {
    const entry: ServerLogEntry = {
      at: Math.round(performance.now() - started),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      outcome,
      idempotencyKey: header(req, 'idempotency-key'),
      range: header(req, 'range'),
    };
    log.push(entry);
    options.onRequest?.(entry);
  };

  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const seen = (counters.get(key) ?? 0) + 1;
    counters.set(key, seen);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://flaky.invalid');
      const route = { req, res, query: url.searchParams, seen, body: Buffer.concat(chunks), record };
      if (url.pathname === '/flaky') return flaky(route);
      if (url.pathname === '/outage') return outage(route, performance.now() - started, firstSeen);
      if (url.pathname === '/limited') return limited(route, performance.now() - started, limiters);
      if (url.pathname === '/slow') return slow(route);
      if (url.pathname === '/file') return file(route);
      send(route, 404, { error: `no route ${url.pathname}` });
    });
  });
  server.keepAliveTimeout = 2_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    hits: (method, url) => counters.get(`${method.toUpperCase()} ${url}`) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Route {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  query: URLSearchParams;
  /** 1-based count of requests for this method and URL, this one included. */
  seen: number;
  body: Buffer;
  record: (req: http.IncomingMessage, outcome: string) => void;
}

/** Answers the scripted failure when this request is one of the first `fail`; else `false`. */
function failed(route: Route): boolean {
  const { query, seen } = route;
  if (seen > Number(query.get('fail') ?? 0)) return false;
  const kind = query.get('with') ?? '503';
  if (kind === 'reset') {
    route.record(route.req, 'reset');
    route.req.socket.destroy();
    return true;
  }
  const retryAfter = query.get('retryAfter');
  const headers = retryAfter === null ? {} : { 'retry-after': retryAfter };
  send(route, Number(kind), { error: `scripted ${kind}`, attempt: seen }, headers);
  return true;
}

function flaky(route: Route): void {
  if (failed(route)) return;
  const text = route.body.toString('utf8');
  send(route, route.req.method === 'POST' ? 201 : 200, {
    ok: true,
    method: route.req.method,
    attempt: route.seen,
    idempotencyKey: header(route.req, 'idempotency-key') ?? null,
    received: text === '' ? null : (JSON.parse(text) as unknown),
  });
}

function outage(route: Route, now: number, firstSeen: Map<string, number>): void {
  const forMs = route.query.get('forMs');
  const key = route.req.url ?? '';
  if (!firstSeen.has(key)) firstSeen.set(key, now);
  if (forMs === null || now < (firstSeen.get(key) ?? now) + Number(forMs)) {
    send(route, 503, { error: 'service unavailable' });
    return;
  }
  send(route, 200, { ok: true, attempt: route.seen });
}

function limited(route: Route, now: number, limiters: Map<string, number>): void {
  const key = route.query.get('key') ?? '';
  const retryAfter = Number(route.query.get('retryAfter') ?? 1);
  let refusesUntil = limiters.get(key);
  if (refusesUntil === undefined) {
    refusesUntil = now + retryAfter * 1000;
    limiters.set(key, refusesUntil);
  }
  if (now < refusesUntil) {
    const left = Math.max(0, (refusesUntil - now) / 1000);
    // Whole seconds, as servers send it, unless the limit itself is shorter than one.
    const header = retryAfter >= 1 ? String(Math.ceil(left)) : String(Number(left.toFixed(3)));
    send(route, 429, { error: 'too many requests' }, { 'retry-after': header });
    return;
  }
  send(route, 200, { ok: true, attempt: route.seen });
}

function slow(route: Route): void {
  if (route.seen > 1) return send(route, 200, { ok: true, attempt: route.seen });
  const timer = setTimeout(
    () => send(route, 200, { ok: true, attempt: route.seen }),
    Number(route.query.get('firstMs') ?? 1000),
  );
  route.res.on('close', () => {
    if (route.res.writableEnded) return;
    clearTimeout(timer);
    route.record(route.req, 'aborted');
  });
}

function file(route: Route): void {
  if (failed(route)) return;
  const { req, res, query, seen } = route;
  const bytes = fileContent(Number(query.get('size') ?? 65_536));
  const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(header(req, 'range') ?? '');
  const ifRange = header(req, 'if-range');
  // RFC 9110 §13.1.5: a Range with a stale If-Range validator gets the whole representation.
  if (range && (ifRange === undefined || ifRange === etag)) start = Number(range[1]);
  if (start >= bytes.length && start > 0) {
    route.record(req, '416');
    res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
    return;
  }
  const status = start > 0 ? 206 : 200;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/octet-stream',
    'content-length': bytes.length - start,
    'accept-ranges': 'bytes',
    etag,
  };
  if (status === 206) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
  res.writeHead(status, headers);
  const body = bytes.subarray(start);
  const cutAt = Number(query.get('cutAt') ?? 0);
  if (seen <= Number(query.get('cuts') ?? 0) && cutAt < body.length) {
    route.record(req, `cut@${cutAt}`);
    res.write(body.subarray(0, cutAt), () => res.destroy());
    return;
  }
  route.record(req, String(status));
  res.end(body);
}

/** The bytes `/file?size=N` serves: the same for every request, so ranges line up. */
export function fileContent(size: number): Buffer {
  const bytes = Buffer.alloc(Math.max(0, Math.floor(size)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >>> 8)) & 0xff;
  return bytes;
}

function send(route: Route, status: number, json: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(JSON.stringify(json));
  route.record(route.req, String(status));
  route.res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers })
    .end(body);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
