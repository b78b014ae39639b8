import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  /** e.g. `docs/streams.md:42` (the line of the opening fence). */
  where: string;
  /** The fence's language: `ts`, `js`, `sh`… */
  lang: string;
  /** Words after the language: `fragment` marks a block that is not meant to compile alone. */
  flags: string[];
  code: string;
}

const root = path.resolve(__dirname, '../..');

/** README.md, CONTRIBUTING.md and every docs/*.md (docs/api, generated, excepted). */
export function docFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs.sort()];
}

export function blocksOf(file: string): DocBlock[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    blocks.push({
      where: `${file}:${start + 1}`,
      lang: open[1] ?? '',
      flags: (open[2] ?? '').split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
  }
  return blocks;
}

/** The file name a runnable block names on its first line: `// quickstart.mjs`. */
export function runnableName(block: DocBlock): string | undefined {
  return /^\/\/ ([\w-]+\.(?:mjs|cjs))\s*$/.exec(block.code.split('\n')[0] ?? '')?.[1];
}
