import { runDemo, type ScenarioRow } from '../demo/index.js';
import { startFlakyServer } from '../demo/flaky-server.js';
import { EXAMPLES } from '../examples/run.js';

describe('examples', () => {
  beforeEach(() => {
    // The examples print what they do; keep the test output readable.
    for (const method of ['log', 'info', 'warn', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation(() => undefined);
    }
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(Object.keys(EXAMPLES))(
    'the %s example recovers from the flaky server and resolves',
    async (name) => {
      const server = await startFlakyServer();
      try {
        await expect(EXAMPLES[name]!(server.url)).resolves.toBeUndefined();
        const failures = server.log.filter((entry) => !/^20[06]$/.test(entry.outcome));
        expect(failures.length).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    },
  );
});

describe('npm run demo', () => {
  let rows: ScenarioRow[];
  let output = '';

  beforeAll(async () => {
    rows = await runDemo({
      baseDelayMs: 20,
      retryAfterSeconds: 0.05,
      color: false,
      write: (text) => {
        output += text;
      },
    });
  });

  it('every scenario behaves as the demo says it should', () => {
    expect(rows).toHaveLength(11);
    const failed = rows
      .filter((row) => !row.passed)
      .map((row) => ({ scenario: row.scenario, problems: row.problems }));
    expect(failed).toEqual([]);
  });

  it("shows the wait the server's Retry-After asked for", () => {
    expect(output).toMatch(/→ 429 +retry in 50 ms \(status 429, Retry-After: 0\.05\)/);
  });

  it('shows the POST that was not retried and why', () => {
    expect(output).toMatch(
      /POST \/flaky\?fail=1&with=502&run=plain +→ 502 +not retried: .*\(not-retryable\)/,
    );
  });

  it('shows calls failing fast while the circuit is open, then the probe that closes it', () => {
    expect(output).toMatch(
      /circuit closed -> open\n(.*→ ERR_CIRCUIT_OPEN +not sent: the circuit is open.*\n)+/,
    );
    expect(output).toMatch(/circuit open -> half-open.*\n.*→ 200\n +circuit half-open -> closed/);
  });

  it('shows the calls that waited for the paused origin, and how many', () => {
    expect(output).toMatch(/call=1 +→ 429 +retry in 50 ms/);
    expect(output).not.toMatch(/call=[234] +→ 429/);
    expect(output).toMatch(/stats\(\)\.pacedAttempts: 3/);
  });

  it('prints no colour codes when colour is off', () => {
    expect(output).not.toContain('\u001b[');
  });
});
