import { build, type Metafile } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { TestServer } from './server.js';

/** Debian's chromium; CI installs it (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium. A missing browser is a failure, never a skip: browsers are a supported
 * platform, so a run that did not test them must not look green.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it ` +
        '(apt-get install -y chromium, or set CHROMIUM_PATH). They fail rather than skip.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
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
