/**
 * The bench's HTTP server, run in its own process (forked by serve.ts) so its work never shares
 * the clients' event loop. Listens on 127.0.0.1:0 and is driven over IPC:
 *   { type: 'mode', mode: 'down' | 'flaky' | 'capacity', ... } sets the behaviour and zeroes the counters;
 *   { type: 'stats' } answers with the counters; { type: 'exit' } closes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../__tests__/helpers/seeded-random.js';

export type ServerMode =
  | { mode: 'down' }
  | { mode: 'flaky'; failRatio: number; seed: number }
  | { mode: 'capacity'; capacity: number; serviceMs: number };

export interface ServerStats {
  hits: number;
  ok: number;
  unavailable: number;
  resets: number;
}

let mode: ServerMode = { mode: 'down' };
let stats: ServerStats = { hits: 0, ok: 0, unavailable: 0, resets: 0 };
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

const server = http.createServer((req, res) => {
  stats.hits += 1;
  req.resume();
  if (mode.mode === 'down') return unavailable(res);
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
    if (mode.mode === 'flaky') random = seededRandom(mode.seed);
    stats = { hits: 0, ok: 0, unavailable: 0, resets: 0 };
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
