import { context, createContextKey, type Attributes, type Span } from '@opentelemetry/api';
import { HTTP_REQUEST_RESEND_COUNT } from './http-attributes.js';

/**
 * Carries the attempt's resend count (0 for the first attempt) in the context each attempt runs
 * in. `createContextKey` is `Symbol.for`: every copy of this package shares the key.
 */
export const RESEND_COUNT_KEY = createContextKey('axios-resilience.resend_count');

/**
 * The resend count of the attempt being sent where this is called: 0 for a first attempt, 1 for
 * the first retry or hedge copy, and so on; `undefined` outside an attempt of this package.
 */
export function currentResendCount(): number | undefined {
  const value = context.active().getValue(RESEND_COUNT_KEY);
  return typeof value === 'number' ? value : undefined;
}

/**
 * `startOutgoingSpanHook` for `@opentelemetry/instrumentation-http` (also `startSpanHook` of
 * `@opentelemetry/instrumentation-undici`): gives each attempt's CLIENT span
 * `http.request.resend_count`, absent on a first attempt as the HTTP semantic conventions say.
 *
 * @example
 * new HttpInstrumentation({ startOutgoingSpanHook: resendCountAttributes })
 */
export function resendCountAttributes(): Attributes {
  const resends = currentResendCount();
  return resends === undefined || resends === 0 ? {} : { [HTTP_REQUEST_RESEND_COUNT]: resends };
}

/**
 * `requestHook` for `@opentelemetry/instrumentation-http`: the same attribute, set on the CLIENT
 * span once it exists (use it when `startOutgoingSpanHook` is already taken).
 *
 * @example
 * new HttpInstrumentation({ requestHook: resendCountHook })
 */
export function resendCountHook(span: Span): void {
  const resends = currentResendCount();
  if (resends !== undefined && resends > 0) span.setAttribute(HTTP_REQUEST_RESEND_COUNT, resends);
}
