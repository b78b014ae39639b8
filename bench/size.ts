/**
 * `npm run size` — what each entry point adds to a browser bundle: esbuild, `platform: 'browser'`,
 * minified, axios external, gzip level 9, resolved through the package's own `exports` from dist/
 * (run `npm run build` first). axios-retry is measured the same way, for reference.
 * `__tests__/bundle-size.test.ts` holds these figures to SIZE_LIMITS.
 */
import { build, type Metafile } from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(__dirname, '..');

/** What a user's bundle imports, one line of code each. */
export const ENTRIES = {
  attachResilience: "import { attachResilience } from 'axios-resilience'; console.log(attachResilience);",
  createResilientAxios:
    "import { createResilientAxios } from 'axios-resilience'; console.log(createResilientAxios);",
  'axios-retry (reference)': "import axiosRetry from 'axios-retry'; console.log(axiosRetry);",
} as const;

export type EntryName = keyof typeof ENTRIES;

/** min+gzip bytes past which `__tests__/bundle-size.test.ts` fails. */
export const SIZE_LIMITS: Partial<Record<EntryName, number>> = {
  attachResilience: 17_000,
  createResilientAxios: 17_500,
};

/** Which feature a source file belongs to, for the per-feature count (minified bytes, before gzip). */
const FEATURES: Array<[feature: string, test: RegExp]> = [
  ['streams (Node only)', /\/streams\//],
  ['circuit breaker', /guards\/(circuit-breaker|breaker-options)\./],
  ['pacing and rate-limit headers', /(guards\/scope-pacer|policy\/(rate-limit|structured-field|scope))/],
  ['hedging', /(guards\/latency-summary|axios\/(hedg|copy-signal))/],
  ['telemetry seam', /(\/telemetry\/|axios\/request-info)/],
  ['retry budget', /guards\/retry-budget\./],
  ['store', /\/store\//],
  ['options and validation', /\/options\./],
  ['retry core', /./],
];

export interface EntrySize {
  entry: EntryName;
  minified: number;
  gzip: number;
  /** Minified bytes per feature, largest first. */
  features: Array<{ feature: string; bytes: number }>;
  /** Files of the package in the bundle, relative to dist/esm. */
  files: string[];
}

export async function measureSizes(): Promise<EntrySize[]> {
  // A tiny project whose node_modules holds this package, so that `exports` is resolved as for a user.
  const dir = mkdtempSync(path.join(tmpdir(), 'axios-resilience-size-'));
  try {
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(root, path.join(dir, 'node_modules', 'axios-resilience'), 'dir');
    symlinkSync(
      path.join(root, 'node_modules', 'axios-retry'),
      path.join(dir, 'node_modules', 'axios-retry'),
      'dir',
    );
    const sizes: EntrySize[] = [];
    for (const [entry, code] of Object.entries(ENTRIES) as Array<[EntryName, string]>) {
      const file = path.join(dir, `${entry.replace(/\W+/g, '-')}.js`);
      writeFileSync(file, code);
      const result = await build({
        entryPoints: [file],
        absWorkingDir: dir,
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        external: ['axios'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const output = result.outputFiles[0];
      if (!output) throw new Error(`esbuild produced no output for ${entry}`);
      sizes.push({
        entry,
        minified: output.contents.length,
        gzip: gzipSync(output.contents, { level: 9 }).length,
        ...breakdown(result.metafile),
      });
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function breakdown(metafile: Metafile): Pick<EntrySize, 'features' | 'files'> {
  const ownFile = (input: string): string | undefined => {
    const normalized = input.replace(/\\/g, '/');
    return normalized.includes('node_modules/') ? undefined : normalized.match(/dist\/esm\/(.*)$/)?.[1];
  };
  const byFeature = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(Object.values(metafile.outputs)[0]?.inputs ?? {})) {
    const own = ownFile(input);
    if (own === undefined) continue;
    const feature = FEATURES.find(([, test]) => test.test(`/${own}`))?.[0] ?? 'retry core';
    byFeature.set(feature, (byFeature.get(feature) ?? 0) + bytesInOutput);
  }
  const features = [...byFeature]
    .map(([feature, bytes]) => ({ feature, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  const files = Object.keys(metafile.inputs).flatMap((input) => ownFile(input) ?? []);
  return { features, files: files.sort() };
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

/** A Markdown table of the figures. */
export function sizeTable(sizes: EntrySize[]): string {
  const rows = sizes.map((size) => {
    const limit = SIZE_LIMITS[size.entry];
    return `| \`${size.entry}\` | ${kb(size.minified)} | **${kb(size.gzip)}** | ${limit === undefined ? '—' : kb(limit)} |`;
  });
  return ['| import | minified | min+gzip | limit |', '|---|---:|---:|---:|', ...rows].join('\n');
}

const START = '<!-- size:start (npm run size -- --write) -->';
const END = '<!-- size:end -->';

/** The table and the per-feature sentence of docs/browser.md, between its size markers. */
export function sizeSection(sizes: EntrySize[]): string {
  const kbOf = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
  const row = (label: string, size: EntrySize | undefined): string =>
    size === undefined
      ? ''
      : `| ${label} | ${kbOf(size.minified)} | ${kbOf(size.gzip)} | ${SIZE_LIMITS[size.entry] === undefined ? '—' : kbOf(SIZE_LIMITS[size.entry] as number)} |`;
  const find = (entry: EntryName): EntrySize | undefined => sizes.find((s) => s.entry === entry);
  const attach = find('attachResilience');
  const features = (attach?.features ?? [])
    .map(({ feature, bytes }) => `${feature} ${kbOf(bytes)}`)
    .join(', ');
  return [
    '| import | minified | min+gzip | limit |',
    '| --- | ---: | ---: | ---: |',
    row("`import { attachResilience } from 'axios-resilience'`", attach),
    row("`import { createResilientAxios } from 'axios-resilience'`", find('createResilientAxios')),
    row("`import axiosRetry from 'axios-retry'` (for reference)", find('axios-retry (reference)')),
    '',
    `Of the ${kbOf(attach?.minified ?? 0)} minified behind \`attachResilience\`, by feature: ${features}.`,
  ].join('\n');
}

/** Rewrites the size section of docs/browser.md (formatted as prettier formats it). */
async function writeSizeSection(sizes: EntrySize[]): Promise<void> {
  const file = path.join(root, 'docs', 'browser.md');
  const page = readFileSync(file, 'utf8');
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no size markers`);
  const next = `${page.slice(0, start + START.length)}\n\n${sizeSection(sizes)}\n\n${page.slice(end)}`;
  const prettier = await import('prettier');
  writeFileSync(
    file,
    await prettier.format(next, { parser: 'markdown', ...(await prettier.resolveConfig(file)) }),
  );
  console.log(`\nwrote the size section of ${path.relative(root, file)}`);
}

if (require.main === module) {
  void measureSizes().then(async (sizes) => {
    console.log(sizeTable(sizes));
    if (process.argv.includes('--write')) await writeSizeSection(sizes);
    for (const size of sizes.filter((s) => s.features.length > 0)) {
      console.log(`\n${size.entry}, minified bytes by feature:`);
      for (const { feature, bytes } of size.features) console.log(`  ${feature.padEnd(28)} ${bytes}`);
    }
  });
}
