import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkerCommand, WorkerConfig } from './fleet-worker';

type Command = WorkerCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** A fleet worker as the parent sees it: send a command, get its answer. */
export interface Worker {
  readonly pid: number;
  ask<T = Record<string, unknown>>(command: Command): Promise<T>;
  close(): Promise<void>;
}

const WORKER = join(__dirname, 'fleet-worker.ts');

/** Starts one worker process (`node --import tsx`) and resolves once it is connected and ready. */
export function startWorker(config: WorkerConfig): Promise<Worker> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: join(__dirname, '..', '..'),
  });
  const waiting = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`fleet worker exited with code ${code} before it was ready`)),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: boolean; id?: number; result?: unknown };
      if (message.ready) {
        resolve({
          pid: child.pid!,
          ask<T>(command: Command): Promise<T> {
            const id = ++nextId;
            return new Promise<T>((done) => {
              waiting.set(id, done as (result: unknown) => void);
              child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`);
            });
          },
          async close() {
            if (child.exitCode !== null) return;
            const exited = new Promise((done) => child.once('exit', done));
            child.stdin!.write(`${JSON.stringify({ cmd: 'close', id: ++nextId })}\n`);
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            await exited;
            clearTimeout(timer);
          },
        });
        return;
      }
      const done = waiting.get(message.id as number);
      waiting.delete(message.id as number);
      done?.(message.result);
    });
  });
}
