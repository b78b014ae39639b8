import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Set by `.ci/run`: there, a fleet suite that did not run is a failure. */
export const REDIS_TESTS_REQUIRED = process.env.REQUIRE_REDIS_TESTS === '1';

export const HOW_TO_ENABLE_REDIS_TESTS =
  'install redis-server (Debian: apt-get install -y redis-server) or set REDIS_SERVER to its path';

/** Whether `redis-server` (or `REDIS_SERVER`) runs on this machine. */
export function hasRedisServer(): boolean {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * `describe` for suites that need a real redis-server. Without one the suite is skipped, loudly:
 * jest counts its tests as skipped (never as passed) and a notice goes to stderr. With
 * `REQUIRE_REDIS_TESTS=1` (set by `.ci/run`) it runs anyway, and a missing server fails it.
 */
export function describeWithRedis(name: string, suite: () => void): void {
  const found = hasRedisServer();
  if (!found && !REDIS_TESTS_REQUIRED) {
    process.stderr.write(
      `\n*** FLEET TESTS SKIPPED (${name}): no redis-server on this machine. To run them, ` +
        `${HOW_TO_ENABLE_REDIS_TESTS}. ***\n\n`,
    );
  }
  (found || REDIS_TESTS_REQUIRED ? describe : describe.skip)(name, suite);
}

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

/** A real Redis Cluster of `size` masters (no replicas) on free 127.0.0.1 ports, in a temp dir. */
export interface RedisCluster {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < size; i++) ports.push(await freePort());
  const children = ports.map((port) =>
    spawn(
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
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
  await Promise.all(ports.map((port, i) => waitForPing(port, children[i]!)));
  const create = spawnSync(
    process.env.REDIS_CLI ?? 'redis-cli',
    [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { encoding: 'utf8' },
  );
  if (create.status !== 0)
    throw new Error(`redis-cli --cluster create failed: ${create.stderr}${create.stdout}`);
  // Wait until every node agrees the cluster is up.
  for (const port of ports) {
    for (let tries = 0; ; tries++) {
      const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' });
      if (info.stdout.includes('cluster_state:ok')) break;
      if (tries > 250) throw new Error(`the cluster never came up on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    ports,
    async stop() {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
