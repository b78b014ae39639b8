/**
 * What the package adds to a browser bundle, measured as `npm run size` measures it (from dist/,
 * through the package's `exports`, esbuild minified, gzip). Not a timed test: bytes only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { measureSizes, SIZE_LIMITS, sizeTable, type EntrySize } from '../bench/size.js';

let sizes: EntrySize[];

beforeAll(async () => {
  sizes = await measureSizes();
  // The figures, for whoever reads the test log (and the README's table).
  process.stdout.write(`\n${sizeTable(sizes)}\n\n`);
});

const sizeOf = (entry: EntrySize['entry']): EntrySize => {
  const size = sizes.find((s) => s.entry === entry);
  if (!size) throw new Error(`no figure for ${entry}`);
  return size;
};

it.each(Object.entries(SIZE_LIMITS) as Array<[EntrySize['entry'], number]>)(
  '%s stays within its min+gzip limit',
  (entry, limit) => {
    expect(sizeOf(entry).gzip).toBeLessThanOrEqual(limit);
  },
);

it.each(['attachResilience', 'createResilientAxios'] as const)(
  'a browser bundle of %s holds no Node stream or download code',
  (entry) => {
    const { files } = sizeOf(entry);
    expect(files).toContain('browser.js');
    expect(files.filter((file) => file.startsWith('streams/') || file === 'index.js')).toEqual([]);
  },
);

it.each(['attachResilience', 'createResilientAxios'] as const)(
  "docs/browser.md gives %s's min+gzip size as measured (within 0.5 KB)",
  (entry) => {
    const page = readFileSync(path.join(__dirname, '..', 'docs', 'browser.md'), 'utf8');
    const row = page
      .split('\n')
      .find((line) => line.startsWith('|') && line.includes(`import { ${entry} } from 'axios-resilience'`));
    // | import | minified | min+gzip | limit |
    const documented = Number(row?.split('|')[3]?.replace('KB', '').trim()) * 1000;
    expect(Math.abs(documented - sizeOf(entry).gzip)).toBeLessThanOrEqual(500);
  },
);
