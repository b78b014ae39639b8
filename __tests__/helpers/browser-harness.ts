import { build, type Metafile } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { TestServer } from './server.js';

/**
 * Where a Chromium may be, in order: `CHROMIUM_PATH`, the distributions' packages, then the one
 * `npx playwright-core install chromium` downloads into its cache.
 */
export function chromiumCandidates(): string[] {
  const fromEnv = process.env.CHROMIUM_PATH;
  return [
    ...(fromEnv ? [fromEnv] : []),
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    chromium.executablePath(),
  ];
}

/** The first Chromium found, or `undefined`. A `CHROMIUM_PATH` that does not exist is not skipped over. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return chromiumCandidates().find((candidate) => existsSync(candidate));
}

/** Set by `.ci/run`: there, a browser suite that did not run is a failure. */
export const BROWSER_TESTS_REQUIRED = process.env.REQUIRE_BROWSER_TESTS === '1';

export const HOW_TO_ENABLE_BROWSER_TESTS =
  'install Chromium (apt-get install -y chromium, or npx playwright-core install chromium) ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome binary';

/**
 * Headless Chromium. Without one, the suite is skipped (see browser.test.ts) unless
 * `REQUIRE_BROWSER_TESTS=1`, where this throws and the suite fails.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error(
      `No Chromium found (looked at ${(process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : chromiumCandidates()).join(', ')}): ${HOW_TO_ENABLE_BROWSER_TESTS}.`,
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser bundle of one entry, kept in memory. */
export interface BrowserBundle {
  code: string;
  /** Every file esbuild pulled in, relative to the package root. */
  inputs: string[];
}

/**
 * Bundles `entry` for the browser. Node built-ins are deliberately not marked external, so a
 * `node:*` import reachable from the entry makes the build fail.
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const root = path.resolve(__dirname, '../..');
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    throw new Error(
      `Bundling ${entry} for the browser failed (is a Node built-in reachable from src?): ${String(error)}`,
    );
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: output.text, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

/** One scripted answer of a CORS route. */
export interface CorsAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Serves `answers` in order on `path` (the last one repeats) with CORS headers for any origin.
 * A preflight (OPTIONS) is answered without using up an answer.
 */
export function corsRoute(server: TestServer, routePath: string, answers: CorsAnswer[]): void {
  let next = 0;
  server.handle(routePath, (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, PATCH',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        'Access-Control-Max-Age': '0',
      });
      res.end();
      return;
    }
    const answer = answers[Math.min(next++, answers.length - 1)] ?? { status: 200 };
    const body = answer.body ?? (answer.status < 300 ? '{"ok":true}' : `{"status":${answer.status}}`);
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(body);
  });
}

/** Requests the application saw on `routePath`: preflights are the browser's, not attempts. */
export function attemptsAt(server: TestServer, routePath: string): number {
  return server.requests.filter((r) => r.method !== 'OPTIONS' && r.url.split('?')[0] === routePath).length;
}
