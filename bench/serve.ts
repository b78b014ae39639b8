import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ServerMode, ServerStats } from './server.js';

/** The parent's handle on the server process. */
export interface BenchServer {
  url: string;
  /** Sets the behaviour and zeroes the counters. */
  setMode(mode: ServerMode): Promise<void>;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

function reply<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string } & T): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
  });
}

/** Starts bench/server.ts in a separate Node process (with tsx's loader) on 127.0.0.1. */
export async function startBenchServer(): Promise<BenchServer> {
  const child = fork(path.join(__dirname, 'server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await reply<{ port: number }>(child, 'ready');
  return {
    url: `http://127.0.0.1:${port}`,
    async setMode(mode) {
      const done = reply(child, 'ok');
      child.send({ type: 'mode', ...mode });
      await done;
    },
    async stats() {
      const done = reply<{ stats: ServerStats }>(child, 'stats');
      child.send({ type: 'stats' });
      return (await done).stats;
    },
    close() {
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'exit' });
      });
    },
  };
}
