import { classify, type FailureFacts } from '../../src/policy/classify.js';
import { normalizeOptions } from '../../src/options.js';

const defaults = normalizeOptions({});
const facts = (over: Partial<FailureFacts>): FailureFacts => ({
  method: 'GET',
  status: undefined,
  code: undefined,
  canceled: false,
  bodyReplayable: true,
  idempotencyKey: false,
  hasRetryAfter: false,
  ...over,
});

describe('classify', () => {
  it.each([408, 429, 502, 503, 504])('retries a GET answered %i', (status) => {
    expect(classify(facts({ status }), defaults)).toEqual({ retry: true, reason: `status ${status}` });
  });

  it.each([400, 401, 403, 404, 405, 406, 500, 501, 418])('never retries a GET answered %i', (status) => {
    expect(classify(facts({ status }), defaults)).toEqual({ retry: false, reason: 'not-retryable' });
  });

  it('does not retry a POST answered 502 (it may have been processed)', () => {
    expect(classify(facts({ method: 'POST', status: 502 }), defaults).retry).toBe(false);
  });

  it('retries a POST answered 429 or 503 with Retry-After, not 503 without it', () => {
    expect(classify(facts({ method: 'POST', status: 429 }), defaults).retry).toBe(true);
    expect(classify(facts({ method: 'POST', status: 503, hasRetryAfter: true }), defaults).retry).toBe(true);
    expect(classify(facts({ method: 'POST', status: 503 }), defaults).retry).toBe(false);
  });

  it('retries a POST whose connection was refused, not one whose connection was reset', () => {
    expect(classify(facts({ method: 'POST', code: 'ECONNREFUSED' }), defaults).retry).toBe(true);
    expect(classify(facts({ method: 'POST', code: 'ECONNRESET' }), defaults).retry).toBe(false);
  });

  it('never retries a canceled request or a body that cannot be replayed', () => {
    expect(classify(facts({ status: 503, canceled: true }), defaults)).toEqual({
      retry: false,
      reason: 'canceled',
    });
    expect(classify(facts({ status: 503, bodyReplayable: false }), defaults)).toEqual({
      retry: false,
      reason: 'body-not-replayable',
    });
  });
});
