/**
 * Every TypeScript block of README.md, CONTRIBUTING.md and docs/*.md type-checks against the
 * built package (dist/, as a user imports it), and every block that names a file on its first
 * line (`// quickstart.mjs`) runs with node against a local server. A block fenced as
 * ```ts fragment is not checked: those are counted and listed here.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { blocksOf, docFiles, runnableName, type DocBlock } from './helpers/doc-blocks.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { makeUserProject, root, tscPath } from './helpers/user-project.js';

const run = promisify(execFile);

/**
 * Names the docs use without defining them in every block, declared once for all blocks: an
 * instance, a base URL, a request body. A block that defines one of them shadows it.
 */
const PRELUDE = `
import type { AxiosInstance } from 'axios';
import type { ResilientAxiosInstance, ResilienceHandle } from 'axios-resilience';
declare global {
  const api: ResilientAxiosInstance;
  const client: AxiosInstance;
  const instance: AxiosInstance;
  const handle: ResilienceHandle;
  const baseURL: string;
  const usersURL: string;
  const ordersURL: string;
  const body: unknown;
  const log: { warn(...args: unknown[]): void; info(...args: unknown[]): void };
}
export {};
`;

const all: DocBlock[] = docFiles().flatMap(blocksOf);
const typescript = all.filter((b) => b.lang === 'ts' && !b.flags.includes('fragment'));
const fragments = all.filter((b) => b.lang === 'ts' && b.flags.includes('fragment'));
const runnable = all.filter((b) => runnableName(b) !== undefined);

let dir: string;

beforeAll(() => {
  // axios, and the plugins the migration guide starts from.
  dir = makeUserProject(
    ['axios', 'axios-retry', 'retry-axios', '@types/node', 'redis', 'ioredis', '@opentelemetry'],
    '{ "type": "module" }',
  );
  process.stdout.write(
    `\ndoc blocks: ${typescript.length} type-checked, ${runnable.length} run, ` +
      `${fragments.length} fragments not checked:\n${fragments.map((b) => `  ${b.where}`).join('\n')}\n\n`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('finds the blocks: the README has TypeScript blocks and runnable quick starts', () => {
  expect(typescript.filter((b) => b.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(2);
  expect(runnable.map(runnableName)).toEqual(expect.arrayContaining(['quickstart.mjs', 'quickstart.cjs']));
});

it('every ts block (not marked fragment) type-checks against the built package', async () => {
  const fileOf = new Map<string, DocBlock>();
  typescript.forEach((block, index) => {
    const name = `block-${index}.ts`;
    fileOf.set(name, block);
    // Each block is a module of its own (top-level await, no clashes between blocks).
    writeFileSync(path.join(dir, name), `${block.code}\nexport {};\n`);
  });
  writeFileSync(path.join(dir, 'prelude.d.ts'), PRELUDE);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      files: ['prelude.d.ts', ...fileOf.keys()],
    }),
  );
  const diagnostics = await run(process.execPath, [tscPath, '-p', dir], { cwd: dir, timeout: 60_000 }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  // Each diagnostic, pointed back at the Markdown line it comes from.
  const located = diagnostics
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line.replace(/^(block-\d+\.ts)\((\d+),\d+\)/, (_all, name: string, row: string) => {
        const block = fileOf.get(name);
        if (!block) return name;
        const [file, start] = block.where.split(':');
        return `${file}:${Number(start) + Number(row)}`;
      }),
    );
  expect(located).toEqual([]);
});

describe('runnable blocks', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(() => server.close());

  it.each(runnable.map((b) => [runnableName(b), b] as const))(
    '%s runs with node and exits 0',
    async (name, block) => {
      const before = server.hits('/items');
      server.plan('/items', [
        { status: 200, headers: { 'content-type': 'application/json' }, body: '[1,2,3]' },
      ]);
      const file = path.join(dir, name!);
      writeFileSync(file, block.code.replaceAll('https://api.example.com', server.url));
      const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 15_000 });
      expect(stdout).toMatch(/\S/);
      expect(server.hits('/items')).toBeGreaterThan(before);
    },
  );
});

/** Pages the README links to that other work is still writing; empty this list as they land. */
const PAGES_BEING_WRITTEN = new Set<string>();

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

it('every relative link of the docs points to a file, and to a heading that exists', () => {
  const broken: string[] = [];
  for (const file of docFiles()) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)|^\[[^\]]+\]:\s*(\S+)$/gm)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [target = '', anchor] = link.split('#');
      const resolved =
        target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (PAGES_BEING_WRITTEN.has(resolved)) continue;
      if (!existsSync(path.join(root, resolved))) {
        broken.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (anchor === undefined || !resolved.endsWith('.md')) continue;
      const headings = readFileSync(path.join(root, resolved), 'utf8')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => anchorOf(line.replace(/^#+ /, '')));
      if (!headings.includes(anchor)) broken.push(`${file}: ${link} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});
