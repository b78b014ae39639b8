import { startFlakyServer } from '../demo/flaky-server.js';
import { main as basic } from './basic.js';
import { main as circuitBreaker } from './circuit-breaker.js';
import { main as customPolicy } from './custom-policy.js';
import { main as loggingAndMetrics } from './logging-and-metrics.js';
import { main as observability } from './observability.js';
import { main as perRequestOptions } from './per-request-options.js';
import { main as streamingDownload } from './streaming-download.js';

/** `npm run example -- <name>`: runs one example (or `all`) against the embedded flaky server. */
export const EXAMPLES: Readonly<Record<string, (baseURL: string) => Promise<void>>> = {
  basic,
  'per-request-options': perRequestOptions,
  'custom-policy': customPolicy,
  'logging-and-metrics': loggingAndMetrics,
  observability,
  'streaming-download': streamingDownload,
  'circuit-breaker': circuitBreaker,
};

async function run(name: string | undefined): Promise<number> {
  const names = name === 'all' ? Object.keys(EXAMPLES) : [name ?? ''];
  const unknown = names.find((candidate) => !(candidate in EXAMPLES));
  if (unknown !== undefined) {
    console.error(unknown === '' ? 'Which example?' : `Unknown example "${unknown}".`);
    console.error(`Usage: npm run example -- <${[...Object.keys(EXAMPLES), 'all'].join(' | ')}>`);
    return 2;
  }
  for (const example of names) {
    // A fresh server each time: its failure counters are per URL, and examples share URLs.
    const server = await startFlakyServer();
    try {
      console.log(`── ${example} (flaky server at ${server.url})`);
      await EXAMPLES[example]?.(server.url);
    } finally {
      await server.close();
    }
  }
  return 0;
}

if (require.main === module) {
  run(process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
