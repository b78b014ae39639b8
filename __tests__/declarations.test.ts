/**
 * The package's declarations as a user's TypeScript sees them: a tiny project in a temp directory
 * with this package in its node_modules, checked by `tsc` (from dist/: `npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeUserProject, tscPath } from './helpers/user-project.js';

interface Project {
  compilerOptions: Record<string, unknown>;
  code: string;
}

/** Runs tsc on `project`; resolves to its diagnostics ('' when it type-checks). */
async function typeCheck(project: Project): Promise<string> {
  const dir = makeUserProject(['axios', '@types/node']);
  try {
    writeFileSync(path.join(dir, 'main.ts'), project.code);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: 'es2022',
          ...project.compilerOptions,
        },
        files: ['main.ts'],
      }),
    );
    await promisify(execFile)(process.execPath, [tscPath, '-p', dir], { cwd: dir, timeout: 60_000 });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const USES_THE_CORE = `
import axios from 'axios';
import { attachResilience, createResilientAxios, getRetryState, isCircuitOpenError } from 'axios-resilience';

const handle = attachResilience(axios.create(), { retries: 2, circuitBreaker: true, pacing: true });
const api = createResilientAxios({ axios: { baseURL: 'https://api.example.com' } });
export async function main(): Promise<number> {
  const res = await api.get('/items', { resilience: { retries: 1 } });
  const error: unknown = new Error('x');
  if (isCircuitOpenError(error)) return error.retryAfterMs;
  return (getRetryState(res)?.attempts ?? 0) + handle.stats().requests;
}
`;

it('type-checks in a browser-only project: no Node types, lib dom, bundler resolution', async () => {
  const diagnostics = await typeCheck({
    compilerOptions: { lib: ['es2022', 'dom'], types: [], module: 'esnext', moduleResolution: 'bundler' },
    code: `${USES_THE_CORE}
export async function body(): Promise<ReadableStream<Uint8Array>> {
  return (await api.stream('GET', '/big.bin')).data;
}
`,
  });
  expect(diagnostics).toBe('');
});

it("types stream()'s body as Node's Readable in a Node project (node16 resolution)", async () => {
  const diagnostics = await typeCheck({
    // skipLibCheck here (checking all of @types/node is slow); the @ts-expect-error proves the body is
    // typed, not `any`.
    compilerOptions: {
      lib: ['es2022'],
      types: ['node'],
      module: 'node16',
      moduleResolution: 'node16',
      skipLibCheck: true,
    },
    code: `${USES_THE_CORE}
import type { Readable } from 'node:stream';
export async function body(): Promise<Readable> {
  const res = await api.stream('GET', '/big.bin');
  res.data.pipe(process.stdout);
  // @ts-expect-error Readable has no such method
  res.data.notAReadableMethod();
  return res.data;
}
`,
  });
  expect(diagnostics).toBe('');
});
