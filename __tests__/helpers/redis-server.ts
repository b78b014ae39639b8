import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A real `redis-server` on 127.0.0.1, started for a test file. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: a crash, nothing saved). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server stops answering without closing its sockets. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** Fails loudly when redis-server is missing: CI installs it, and a skipped fleet suite proves nothing. */
function requireBinary(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `redis-server is needed by the fleet tests and was not found (${String(probe.error ?? probe.stderr)}). ` +
        'Install it (Debian: apt-get install redis-server) or set REDIS_SERVER to its path.',
    );
  }
}

/** A free port: listen on 0, read it, close. (`redis-server --port 0` would turn TCP off.) */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers PING with PONG (plain RESP over a socket). */
function waitForPing(port: number, child: ChildProcess, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(new Error(`redis-server exited with code ${child.exitCode}`));
        return;
      }
      const socket = createConnection({ port, host: '127.0.0.1' });
      let reply = '';
      const retry = (): void => {
        socket.destroy();
        if (Date.now() - started > timeoutMs)
          reject(new Error(`redis-server on ${port} never answered PING`));
        else setTimeout(attempt, 20);
      };
      socket.once('error', retry);
      socket.on('data', (chunk) => {
        reply += chunk.toString();
        if (reply.includes('+PONG')) {
          socket.destroy();
          resolve();
        } else if (reply.includes('\r\n')) retry();
      });
      socket.once('connect', () => socket.write('PING\r\n'));
    };
    attempt();
  });
}

function launch(port: number): ChildProcess {
  const child = spawn(
    BINARY,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(): Promise<RedisServer> {
  requireBinary();
  const port = await freePort();
  let child = launch(port);
  await waitForPing(port, child);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      child = launch(port);
      await waitForPing(port, child);
    },
    freeze() {
      child.kill('SIGSTOP');
    },
    thaw() {
      child.kill('SIGCONT');
    },
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
