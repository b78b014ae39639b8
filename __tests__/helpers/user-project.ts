import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
export const tscPath = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * A directory in the temp dir laid out like a user's project: its node_modules holds this package
 * (so `exports` and dist/ are used as a user gets them) and `packages` from ours.
 * The caller removes it.
 */
export function makeUserProject(packages: string[], packageJson = '{}'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'axios-resilience-project-'));
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, '@types'), { recursive: true });
  symlinkSync(root, path.join(modules, 'axios-resilience'), 'dir');
  for (const name of packages)
    symlinkSync(path.join(root, 'node_modules', name), path.join(modules, name), 'dir');
  writeFileSync(path.join(dir, 'package.json'), `${packageJson}\n`);
  return dir;
}
