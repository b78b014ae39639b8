/**
 * The built subpath `axios-resilience/redis`, and the core entry's independence from it. Needs
 * dist/ (`npm test` builds it first).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(__dirname, '..', '..');

function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 10_000 }).trim();
}

/** Every file the module graph of `entry` reaches through relative imports, and its bare imports. */
function graphOf(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return { files, bare };
}

test.each([
  ['require', `console.log(typeof require('axios-resilience/redis').createRedisStore)`, '--eval'],
  [
    'import',
    `import('axios-resilience/redis').then((m) => console.log(typeof m.createRedisStore))`,
    '--eval',
  ],
])('axios-resilience/redis loads through %s', (_how, code, flag) => {
  expect(run([flag, code])).toBe('function');
});

test.each(['esm', 'cjs'])('the core entry (%s) reaches no Redis code', (format) => {
  const { files, bare } = graphOf(join(root, 'dist', format, 'index.js'));
  expect(files.size).toBeGreaterThan(10);
  expect(
    [...files].filter((file) => file.includes(join('store', 'redis')) || file.endsWith('redis.js')),
  ).toEqual([]);
  expect([...bare].filter((name) => /redis/.test(name))).toEqual([]);
});

test('createRedisStore refuses what is not a client, and a prefix that would break the hash tag', () => {
  const code = `
    const { createRedisStore } = require('axios-resilience/redis');
    const fake = { sendCommand: async () => 'OK', evalSha: () => {}, duplicate: () => ({ on() {}, connect: () => new Promise(() => {}) }) };
    const out = [];
    for (const [client, options] of [[{}, { prefix: 'a' }], [fake, { prefix: 'a}b' }], [fake, { prefix: 'a', flushMs: 0 }], [fake, { prefix: 'a', colour: 1 }]]) {
      try { createRedisStore(client, options); out.push('accepted'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
    }
    console.log(JSON.stringify(out));
  `;
  const messages = JSON.parse(run(['--eval', code])) as string[];
  expect(messages[0]).toMatch(/^TypeError: .*node-redis .*ioredis/);
  expect(messages[1]).toMatch(/^TypeError: Expected `prefix`/);
  expect(messages[2]).toMatch(/^TypeError: Expected `flushMs`/);
  expect(messages[3]).toMatch(/^TypeError: Unknown option `colour`/);
});
