/**
 * End to end with `@opentelemetry/instrumentation-http`: it must patch `http` before axios loads
 * it, so the scenario runs in a child process (__tests__/helpers/otel-http-child.ts) that starts
 * the SDK first, as an app does. A call answered 503, 502, then 200.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

interface RecordedSpan {
  name: string;
  kind: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

interface ChildOutcome {
  status: number;
  spans: RecordedSpan[];
  traceparents: Array<string | undefined>;
}

const root = path.join(__dirname, '..', '..');

function runChild(): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join('__tests__', 'helpers', 'otel-http-child.ts')],
      { cwd: root, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ChildOutcome);
      },
    );
  });
}

let outcome: ChildOutcome;
let logical: RecordedSpan;
let clients: RecordedSpan[];

beforeAll(async () => {
  outcome = await runChild();
  logical = outcome.spans.find((span) => span.name === 'axios-resilience GET')!;
  clients = outcome.spans.filter((span) => span.kind === 'CLIENT');
}, 20_000);

it('the call succeeds on its third attempt', () => {
  expect(outcome.status).toBe(200);
  expect(logical.attributes['http.request.resend_count']).toBe(2);
});

it('records one CLIENT span per attempt, each a child of the logical INTERNAL span', () => {
  expect(logical.kind).toBe('INTERNAL');
  expect(clients).toHaveLength(3);
  for (const span of clients) {
    expect(span.parentSpanId).toBe(logical.spanId);
    expect(span.traceId).toBe(logical.traceId);
  }
  expect(clients.map((span) => span.attributes['http.response.status_code'])).toEqual([503, 502, 200]);
});

it('sets http.request.resend_count on the CLIENT spans of resends only', () => {
  expect(clients.map((span) => span.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
});

it("sends each attempt with its own traceparent, naming that attempt's CLIENT span", () => {
  expect(outcome.traceparents).toEqual(clients.map((span) => `00-${logical.traceId}-${span.spanId}-01`));
});
