/**
 * `axios-resilience/otel`: OpenTelemetry for the `telemetry` option. Needs `@opentelemetry/api`
 * (an optional peer dependency); the core entry point never imports it.
 */
export { openTelemetry, REASON_ATTRIBUTE, type OpenTelemetryOptions } from './telemetry/otel.js';
export { currentResendCount, resendCountAttributes, resendCountHook } from './telemetry/resend-count.js';
export {
  DURATION_BUCKETS,
  METRIC_CIRCUIT_TRANSITIONS,
  METRIC_GIVE_UPS,
  METRIC_HEDGES,
  METRIC_REQUEST_DURATION,
  METRIC_RETRIES,
} from './telemetry/otel-metrics.js';
