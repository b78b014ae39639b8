import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer of the test server. */
export interface Plan {
  status?: number;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Destroy the socket before reading the request body (connection reset, nothing answered). */
  resetBeforeBody?: boolean;
  /** Read the whole request body, then destroy the socket without answering. */
  resetAfterBody?: boolean;
  /** Never answer (the client's timeout or abort must end it). */
  hang?: boolean;
  /** Send headers (with the full Content-Length) and this many body bytes, then destroy the socket. */
  cutAfterBytes?: number;
}

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request seen, in order. */
  requests: SeenRequest[];
  /** Scripted answers for a path: each request takes the next plan, the last one repeats. */
  plan(path: string, plans: Plan[]): void;
  /** A custom handler for a path (takes precedence over plans). */
  handle(path: string, handler: Handler): void;
  /** Requests seen for a path (query string ignored), or all requests. */
  hits(path?: string): number;
  /** Sockets currently open. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A real `node:http` server on 127.0.0.1, port 0. Unknown paths answer 200 "ok". */
export async function startTestServer(): Promise<TestServer> {
  const plans = new Map<string, { queue: Plan[]; next: number }>();
  const handlers = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const entry = plans.get(path);
    const plan: Plan = entry ? (entry.queue[Math.min(entry.next++, entry.queue.length - 1)] ?? {}) : {};
    if (plan.resetBeforeBody) {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const handler = handlers.get(path);
      if (handler) return handler(req, res, body);
      answer(plan, req, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    plan(path, queue) {
      plans.set(path, { queue, next: 0 });
    },
    handle(path, handler) {
      handlers.set(path, handler);
    },
    hits(path) {
      if (path === undefined) return requests.length;
      return requests.filter((r) => r.url.split('?')[0] === path).length;
    },
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(plan: Plan, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (plan.resetAfterBody) {
    req.socket.destroy();
    return;
  }
  if (plan.hang) return;
  const body = plan.body ?? (plan.status === undefined || plan.status < 300 ? 'ok' : `status ${plan.status}`);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(plan.status ?? 200, { 'content-length': bytes.length, ...plan.headers });
  if (plan.cutAfterBytes !== undefined) {
    res.write(bytes.subarray(0, plan.cutAfterBytes), () => res.destroy());
    return;
  }
  res.end(bytes);
}

/** A 127.0.0.1 port nothing listens on (just freed), so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
