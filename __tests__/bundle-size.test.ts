/**
 * What the package adds to a browser bundle, measured as `npm run size` measures it (from dist/,
 * through the package's `exports`, esbuild minified, gzip). Not a timed test: bytes only.
 */
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
