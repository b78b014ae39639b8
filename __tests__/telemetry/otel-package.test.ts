/**
 * The subpath `axios-resilience/otel` as users get it: resolved by name through package.json
 * `exports` (a package may import itself by name), from dist/ built by `npm test`'s pretest.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const OTEL_EXPORTS = ['openTelemetry', 'resendCountAttributes', 'resendCountHook', 'currentResendCount'];

function node(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

it('loads through import()', async () => {
  const names = await node([
    '--input-type=module',
    '-e',
    "const lib = await import('axios-resilience/otel'); console.log(JSON.stringify(Object.keys(lib)));",
  ]);
  expect(names).toEqual(expect.arrayContaining(OTEL_EXPORTS));
});

it('loads through require()', async () => {
  const names = await node([
    '-e',
    "console.log(JSON.stringify(Object.keys(require('axios-resilience/otel'))))",
  ]);
  expect(names).toEqual(expect.arrayContaining(OTEL_EXPORTS));
});

it('makes the core entry point load no OpenTelemetry code', async () => {
  const loaded = await node([
    '-e',
    `require('axios-resilience');
     console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes('@opentelemetry'))));`,
  ]);
  expect(loaded).toEqual([]);
});

it('loads neither axios nor http, so an SDK setup file may import it before http is patched', async () => {
  const loaded = await node([
    '-e',
    `require('axios-resilience/otel');
     const sep = require('node:path').sep;
     console.log(JSON.stringify([
       ...Object.keys(require.cache).filter((file) => file.split(sep).includes('axios')),
       ...process.moduleLoadList.filter((name) => name === 'NativeModule http'),
     ]));`,
  ]);
  expect(loaded).toEqual([]);
});

it('declares @opentelemetry/api an optional peer dependency, from 1.7', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
    dependencies?: Record<string, string>;
  };
  expect(manifest.peerDependencies['@opentelemetry/api']).toBe('>=1.7.0 <2');
  expect(manifest.peerDependenciesMeta['@opentelemetry/api']?.optional).toBe(true);
  expect(manifest.dependencies).toBeUndefined();
});
