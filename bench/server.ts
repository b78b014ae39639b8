/**
 * The bench's HTTP server, run in its own process (forked by serve.ts) so its work never shares
 * the clients' event loop. Listens on 127.0.0.1:0 and is driven over IPC:
 *   { type: 'mode', mode: 'up' | 'down' | 'flaky' | 'capacity' | 'quota' | 'tail', ... } sets the behaviour and
 *   zeroes the counters;
 *   { type: 'stats' } answers with the counters; { type: 'exit' } closes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../__tests__/helpers/seeded-random.js';

export type ServerMode =
  | { mode: 'up' }
  /** 503 to everything, after `delayMs` (0: at once). */
  | { mode: 'down'; delayMs?: number }
  /**
   * A fixed-window quota: `limit` answers per window of `windowMs` (aligned to the clock), 429 +
   * `Retry-After` beyond it; every answer states `RateLimit: "quota";r=…;t=…` (draft-10).
   */
  | { mode: 'quota'; limit: number; windowMs: number }
  /** Each request (drawn independently, seeded) is slow with probability `slowRatio`. */
  | { mode: 'tail'; slowRatio: number; slowMs: number; fastMs: number; seed: number }
  | { mode: 'flaky'; failRatio: number; seed: number }
  | { mode: 'capacity'; capacity: number; serviceMs: number };

export interface ServerStats {
  hits: number;
  ok: number;
  unavailable: number;
  resets: number;
  /** 429s sent (quota mode). */
  limited: number;
  /** Requests whose client went away before the answer (tail mode: aborted hedge copies). */
  aborted: number;
  /** `Date.now()` of each hit while down (the parent splits them by the breaker's transitions). */
  downHitTimes: number[];
}

const zero = (): ServerStats => ({
  hits: 0,
  ok: 0,
  unavailable: 0,
  resets: 0,
  limited: 0,
  aborted: 0,
  downHitTimes: [],
});

let mode: ServerMode = { mode: 'down' };
let stats: ServerStats = zero();
let windowStart = 0;
let windowCount = 0;
let inFlight = 0;
let random = seededRandom(1);

function unavailable(res: http.ServerResponse): void {
  stats.unavailable += 1;
  res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '11' }).end('unavailable');
}

function ok(res: http.ServerResponse): void {
  stats.ok += 1;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
}

function quota(res: http.ServerResponse, limit: number, windowMs: number): void {
  const now = Date.now();
  const start = now - (now % windowMs);
  if (start !== windowStart) {
    windowStart = start;
    windowCount = 0;
  }
  // draft-10: t is whole seconds until the quota resets (at least 1 while it has not).
  const resetS = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
  const remaining = Math.max(0, limit - windowCount - 1);
  if (windowCount >= limit) {
    stats.limited += 1;
    res
      .writeHead(429, {
        'content-type': 'text/plain',
        'content-length': '7',
        'retry-after': String(resetS),
        ratelimit: `"quota";r=0;t=${resetS}`,
        'ratelimit-policy': `"quota";q=${limit};w=${Math.ceil(windowMs / 1000)}`,
      })
      .end('limited');
    return;
  }
  windowCount += 1;
  stats.ok += 1;
  res
    .writeHead(200, {
      'content-type': 'text/plain',
      'content-length': '2',
      ratelimit: `"quota";r=${remaining};t=${resetS}`,
      'ratelimit-policy': `"quota";q=${limit};w=${Math.ceil(windowMs / 1000)}`,
    })
    .end('ok');
}

const server = http.createServer((req, res) => {
  stats.hits += 1;
  req.resume();
  if (mode.mode === 'up') return ok(res);
  if (mode.mode === 'down') {
    stats.downHitTimes.push(Date.now());
    if (!mode.delayMs) return unavailable(res);
    setTimeout(() => unavailable(res), mode.delayMs);
    return;
  }
  if (mode.mode === 'quota') return quota(res, mode.limit, mode.windowMs);
  if (mode.mode === 'tail') {
    const delay = random() < mode.slowRatio ? mode.slowMs : mode.fastMs;
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    setTimeout(() => {
      if (gone) {
        stats.aborted += 1;
        return;
      }
      ok(res);
    }, delay);
    return;
  }
  if (mode.mode === 'flaky') {
    const roll = random();
    if (roll >= mode.failRatio) return ok(res);
    // Half the faults are a 503, half a connection reset with nothing answered.
    if (roll < mode.failRatio / 2) return unavailable(res);
    stats.resets += 1;
    req.socket.destroy();
    return;
  }
  if (inFlight >= mode.capacity) return unavailable(res);
  inFlight += 1;
  setTimeout(() => {
    inFlight -= 1;
    ok(res);
  }, mode.serviceMs);
});
server.keepAliveTimeout = 30_000;
const sockets = new Set<Socket>();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

process.on('message', (message: { type: string } & Partial<ServerMode>) => {
  if (message.type === 'mode') {
    mode = message as ServerMode;
    if (mode.mode === 'flaky' || mode.mode === 'tail') random = seededRandom(mode.seed);
    stats = zero();
    windowStart = 0;
    windowCount = 0;
    process.send?.({ type: 'ok' });
  } else if (message.type === 'stats') {
    process.send?.({ type: 'stats', stats });
  } else if (message.type === 'exit') {
    for (const socket of sockets) socket.destroy();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
