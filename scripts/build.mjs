// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its own type declarations.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (...args) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc(
  '-p',
  'tsconfig.build.json',
  '--module',
  'esnext',
  '--moduleResolution',
  'bundler',
  '--outDir',
  'dist/esm',
);
tsc(
  '-p',
  'tsconfig.build.json',
  '--module',
  'node16',
  '--moduleResolution',
  'node16',
  '--outDir',
  'dist/cjs',
);
mkdirSync('dist/esm', { recursive: true });
writeFileSync('dist/esm/package.json', '{ "type": "module", "sideEffects": false }\n');
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs", "sideEffects": false }\n');
