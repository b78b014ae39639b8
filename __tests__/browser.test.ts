import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import {
  attemptsAt,
  BROWSER_TESTS_REQUIRED,
  bundleForBrowser,
  corsRoute,
  findChromium,
  HOW_TO_ENABLE_BROWSER_TESTS,
  launchChromium,
  type BrowserBundle,
} from './helpers/browser-harness.js';
import type { AdapterName, PageOutcome, PageRequest } from './helpers/browser-page.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// Without a Chromium the suite below is skipped, loudly: jest counts its tests as skipped (never
// as passed) and this notice goes to stderr. `.ci/run` sets REQUIRE_BROWSER_TESTS=1, and there a
// missing Chromium fails the suite instead.
const chromiumFound = findChromium() !== undefined;
if (!chromiumFound && !BROWSER_TESTS_REQUIRED) {
  process.stderr.write(
    '\n*** BROWSER TESTS SKIPPED: no Chromium on this machine. To run them, ' +
      `${HOW_TO_ENABLE_BROWSER_TESTS}. ***\n\n`,
  );
}
const describeInChromium = chromiumFound || BROWSER_TESTS_REQUIRED ? describe : describe.skip;

describeInChromium('in headless Chromium', () => {
  // The page and the API live on two ports of 127.0.0.1: two origins, so every call is a CORS call
  // and the browser hides response headers the API does not expose.
  let bundle: BrowserBundle;
  let pageServer: TestServer;
  let api: TestServer;
  let closedPortUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    bundle = await bundleForBrowser('__tests__/helpers/browser-page.ts');
    pageServer = await startTestServer();
    pageServer.handle('/', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        '<!doctype html><meta charset="utf-8"><title>axios-resilience</title><script src="/page.js"></script>',
      );
    });
    pageServer.handle('/page.js', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(bundle.code);
    });
    api = await startTestServer();
    const closed = await startTestServer();
    closedPortUrl = `${closed.url}/gone`;
    await closed.close();

    browser = await launchChromium();
    page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${pageServer.url}/`);
    await page
      .waitForFunction(() => window.axiosResilienceTest !== undefined, null, { timeout: 5000 })
      .catch((error: unknown) => {
        throw new Error(`The test page did not load: ${pageErrors.join('; ') || String(error)}`);
      });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pageServer?.close(), api?.close()]);
  });

  function inPage(request: PageRequest): Promise<PageOutcome> {
    return page.evaluate((req) => window.axiosResilienceTest.run(req), request);
  }

  const retryAfterOneSecond = { 'Retry-After': '1', 'Access-Control-Expose-Headers': 'Retry-After' };

  it('bundles the package for the browser with no Node built-in reachable', () => {
    // A `node:*` import would have failed the build in beforeAll; this checks the real src was bundled.
    expect(bundle.inputs).toEqual(expect.arrayContaining(['src/browser.ts', 'src/axios/plugin.ts']));
    expect(bundle.inputs.filter((input) => input.startsWith('node:'))).toEqual([]);
  });

  describe.each<AdapterName>(['xhr', 'fetch'])('in Chromium with the %s adapter', (adapter) => {
    it('hedges a slow GET: the fast copy wins and the slow one is aborted', async () => {
      const route = `/${adapter}/tail`;
      let seen = 0;
      const closedUnanswered: number[] = [];
      api.handle(route, (_req, res) => {
        res.setHeader('Access-Control-Allow-Origin', '*');
        const copy = seen++;
        res.on('close', () => {
          if (!res.writableEnded) closedUnanswered.push(copy);
        });
        if (copy === 0) return; // the first copy is never answered
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"copy":${copy}}`);
      });

      const outcome = await inPage({ adapter, url: `${api.url}${route}`, hedgeDelayMs: 30 });

      expect(outcome).toMatchObject({ ok: true, status: 200, data: { copy: 1 } });
      expect(outcome.retry).toMatchObject({ attempts: 2, hedges: 1 });
      for (let waited = 0; !closedUnanswered.includes(0) && waited < 2000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(closedUnanswered).toContain(0);
    });

    it('retries 503s and resolves with the success that follows', async () => {
      const route = `/${adapter}/flaky`;
      corsRoute(api, route, [{ status: 503 }, { status: 503 }, { status: 200, body: '{"items":[1,2]}' }]);

      const outcome = await inPage({ adapter, url: `${api.url}${route}` });

      expect(outcome).toMatchObject({ ok: true, status: 200, data: { items: [1, 2] } });
      expect(outcome.retry).toMatchObject({ attempts: 3, delaysMs: [5, 10] });
      expect(attemptsAt(api, route)).toBe(3);
    });

    it('waits what an exposed Retry-After asks for', async () => {
      const route = `/${adapter}/retry-after-exposed`;
      corsRoute(api, route, [{ status: 503, headers: retryAfterOneSecond }, { status: 200 }]);

      const outcome = await inPage({ adapter, url: `${api.url}${route}` });

      expect(outcome).toMatchObject({ ok: true, status: 200 });
      expect(outcome.retry?.delaysMs).toEqual([1000]);
      expect(outcome.settledMs).toBeGreaterThanOrEqual(990);
    });

    it('falls back to backoff when Retry-After is sent but not exposed to the page', async () => {
      const route = `/${adapter}/retry-after-hidden`;
      corsRoute(api, route, [{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);

      const outcome = await inPage({ adapter, url: `${api.url}${route}` });

      expect(outcome).toMatchObject({ ok: true, status: 200 });
      expect(outcome.retry?.delaysMs).toEqual([5]);
      expect(attemptsAt(api, route)).toBe(2);
    });

    it('retries a network error and finally rejects with ERR_NETWORK', async () => {
      const outcome = await inPage({ adapter, url: closedPortUrl, retries: 2 });

      expect(outcome).toMatchObject({ ok: false, code: 'ERR_NETWORK', errorName: 'AxiosError' });
      expect(outcome.retry).toMatchObject({ attempts: 3, delaysMs: [5, 10], reason: 'exhausted' });
    });

    it('does not retry a POST that fails with ERR_NETWORK, since it may have been processed', async () => {
      const outcome = await inPage({ adapter, url: closedPortUrl, method: 'post', data: { order: 1 } });

      expect(outcome).toMatchObject({ ok: false, code: 'ERR_NETWORK' });
      expect(outcome.retry).toMatchObject({ attempts: 1, delaysMs: [], reason: 'not-retryable' });
    });

    it('rejects at once with CanceledError when aborted during a wait, and sends nothing more', async () => {
      const route = `/${adapter}/abort-while-waiting`;
      corsRoute(api, route, [
        { status: 503, headers: { 'Retry-After': '5', 'Access-Control-Expose-Headers': 'Retry-After' } },
        { status: 200 },
      ]);

      const outcome = await inPage({ adapter, url: `${api.url}${route}`, abortAfterMs: 150 });

      expect(outcome).toMatchObject({
        ok: false,
        isCancel: true,
        code: 'ERR_CANCELED',
        errorName: 'CanceledError',
      });
      expect(outcome.settledMs).toBeLessThan(100);
      // The wait actually taken (about 150 ms), not the 5 s that was planned.
      expect(outcome.retry).toMatchObject({
        attempts: 1,
        delaysMs: [expect.any(Number)],
        reason: 'canceled',
      });
      expect(outcome.retry?.delaysMs[0]).toBeLessThan(1000);
      expect(attemptsAt(api, route)).toBe(1);
    });

    it('retries a POST with an Idempotency-Key through the CORS preflight, with the same key', async () => {
      const route = `/${adapter}/keyed-post`;
      corsRoute(api, route, [{ status: 503 }, { status: 201 }]);

      const outcome = await inPage({
        adapter,
        url: `${api.url}${route}`,
        method: 'post',
        data: { order: 7 },
        idempotencyKey: true,
      });

      expect(outcome).toMatchObject({ ok: true, status: 201 });
      const preflights = api.requests.filter((r) => r.url === route && r.method === 'OPTIONS');
      expect(preflights[0]?.headers['access-control-request-headers']).toContain('idempotency-key');
      const posts = api.requests.filter((r) => r.url === route && r.method === 'POST');
      expect(posts).toHaveLength(2);
      const keys = posts.map((r) => r.headers['idempotency-key']);
      expect(keys[0]).toMatch(/\S/);
      expect(keys[1]).toBe(keys[0]);
      expect(posts.map((r) => r.body.toString())).toEqual(['{"order":7}', '{"order":7}']);
    });
  });
});

it('runs the browser example: `npm run example:browser -- --check` serves the page and exits 0', async () => {
  const root = path.resolve(__dirname, '..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');

  const { stdout } = await promisify(execFile)(tsx, ['examples/browser/serve.ts', '--check'], {
    cwd: root,
    timeout: 15_000,
  });

  expect(stdout).toContain('example:browser check ok');
});
