/**
 * Which file a user gets for `axios-resilience`: Node resolves the `node` export condition (the
 * resumable streams), everything else the browser entry (`bundle-size.test.ts` checks a bundler).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeUserProject, root } from './helpers/user-project.js';

let dir: string;

beforeAll(() => {
  dir = makeUserProject(['axios']);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function nodeSays(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: dir, timeout: 10_000 });
  return stdout.trim();
}

it('require() on Node loads the CommonJS Node entry', async () => {
  const resolved = await nodeSays(['-e', "console.log(require.resolve('axios-resilience'))"]);
  expect(path.relative(root, resolved)).toBe(path.join('dist', 'cjs', 'index.js'));
});

it('import on Node loads the ES module Node entry', async () => {
  const resolved = await nodeSays([
    '--input-type=module',
    '-e',
    "console.log(new URL(import.meta.resolve('axios-resilience')).pathname)",
  ]);
  expect(path.relative(root, resolved)).toBe(path.join('dist', 'esm', 'index.js'));
});

it("the browser entry's download() rejects, saying it needs Node", async () => {
  const outcome = await nodeSays([
    '-e',
    `const browser = require(${JSON.stringify(path.join(root, 'dist', 'cjs', 'browser.js'))});
     browser.createResilientAxios().download('http://127.0.0.1:9/x', 'x').then(
       () => console.log('resolved'),
       (error) => console.log(error.message),
     );`,
  ]);
  expect(outcome).toBe('download() needs Node.js 20.16 or later (it writes a file)');
});
