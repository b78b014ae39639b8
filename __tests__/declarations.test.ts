/**
 * The package's declarations as a user's TypeScript sees them: a tiny project in a temp directory
 * with this package in its node_modules, checked by `tsc` (from dist/: `npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface Project {
  compilerOptions: Record<string, unknown>;
  code: string;
}

/** Runs tsc on `project`; resolves to its diagnostics ('' when it type-checks). */
async function typeCheck(project: Project): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'axios-resilience-types-'));
  try {
    const modules = path.join(dir, 'node_modules');
    mkdirSync(path.join(modules, '@types'), { recursive: true });
    symlinkSync(root, path.join(modules, 'axios-resilience'), 'dir');
    symlinkSync(path.join(root, 'node_modules', 'axios'), path.join(modules, 'axios'), 'dir');
    symlinkSync(
      path.join(root, 'node_modules', '@types', 'node'),
      path.join(modules, '@types', 'node'),
      'dir',
    );
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
    await promisify(execFile)(process.execPath, [tsc, '-p', dir], { cwd: dir, timeout: 60_000 });
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
    compilerOptions: { lib: ['es2022'], types: ['node'], module: 'node16', moduleResolution: 'node16' },
    code: `${USES_THE_CORE}
import type { Readable } from 'node:stream';
export async function body(): Promise<Readable> {
  const res = await api.stream('GET', '/big.bin');
  res.data.pipe(process.stdout);
  return res.data;
}
`,
  });
  expect(diagnostics).toBe('');
});
