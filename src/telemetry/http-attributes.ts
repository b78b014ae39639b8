import type { Attributes } from '@opentelemetry/api';

// OpenTelemetry HTTP semantic conventions (stable, docs/http/http-spans.md): attribute names and
// the rules for their values.
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const URL_FULL = 'url.full';
export const ERROR_TYPE = 'error.type';

/** The methods semconv knows; any other is reported as `_OTHER`, its spelling kept apart. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** Query parameters whose values semconv asks to redact in `url.full` (signed-URL secrets). */
const SECRET_PARAMS: readonly string[] = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];

const REDACTED = 'REDACTED';

/** The method as semconv reports it: a known method as it is, any other as `_OTHER`. */
export function knownMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/**
 * The attributes of a request, for its span and its metrics: `http.request.method`,
 * `server.address`, `server.port` (a number, the scheme's default when the URL names none) and
 * `url.full` with credentials and signed-URL secrets redacted.
 */
export function requestAttributes(method: string, url: string): Attributes {
  const known = knownMethod(method);
  const attributes: Attributes = { [HTTP_REQUEST_METHOD]: known };
  if (known !== method) attributes[HTTP_REQUEST_METHOD_ORIGINAL] = method;
  const parsed = parseURL(url);
  if (parsed === undefined) {
    attributes[URL_FULL] = url;
    return attributes;
  }
  // WHATWG URL keeps an IPv6 literal's brackets; semconv's server.address does not.
  attributes[SERVER_ADDRESS] = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port);
  if (port !== undefined) attributes[SERVER_PORT] = port;
  attributes[URL_FULL] = redactedURL(parsed);
  return attributes;
}

/**
 * `error.type` of a failed request: the final status as a string when the server answered, else
 * the error's code (`ECONNRESET`, `ECONNABORTED`, `ERR_CIRCUIT_OPEN`), else `_OTHER`.
 */
export function errorType(error: unknown): string {
  const failed = error as { response?: { status?: unknown }; code?: unknown } | null | undefined;
  const status = failed?.response?.status;
  if (typeof status === 'number') return String(status);
  const code = failed?.code;
  return typeof code === 'string' && code !== '' ? code : '_OTHER';
}

function parseURL(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** semconv: credentials in `url.full` become `REDACTED:REDACTED`, and so do signed-URL secrets. */
function redactedURL(url: URL): string {
  if (url.username !== '' || url.password !== '') {
    url.username = REDACTED;
    url.password = REDACTED;
  }
  if (url.search !== '') {
    const params = url.searchParams;
    for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, REDACTED);
  }
  return url.href;
}
