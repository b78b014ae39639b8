import { headerValue } from '../policy/headers.js';

/** A parsed `Content-Range: bytes first-last/complete`; `total` is `undefined` for `*`. */
export interface ContentRange {
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
  readonly total: number | undefined;
}

/** How a broken body can be asked for again: the `If-Range` value and what it must still match. */
export interface ResumePlan {
  readonly ifRange: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
}

/** What the first response and its request tell about resuming. */
export interface FirstResponseFacts {
  readonly method: string;
  readonly status: number;
  readonly headers: unknown;
  /** The caller asked for a range themselves; offsets would be theirs, not ours. */
  readonly requestedRange: boolean;
  /** The body was decoded (gzip, br…): decoded offsets do not address the encoded representation. */
  readonly decoded: boolean;
}

/**
 * axios decodes gzip/deflate/br bodies and then drops `Content-Encoding` from the headers; the
 * raw headers of the Node response (`response.request.res`) still show it.
 */
export function decodedByAxios(request: unknown, headers: unknown): boolean {
  const raw = (request as { res?: { rawHeaders?: string[] } } | undefined)?.res?.rawHeaders ?? [];
  const codings = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'content-encoding');
  codings.push(headerValue(headers, 'content-encoding') ?? '');
  return codings.some((coding) => coding.trim() !== '' && coding.trim().toLowerCase() !== 'identity');
}

/** A `Content-Length` as a safe non-negative integer, else `undefined`. */
export function contentLength(headers: unknown): number | undefined {
  const value = headerValue(headers, 'content-length');
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}

/** RFC 9110 §14.4: `bytes first-last/complete-length` or `bytes first-last/*`. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  const match = value === undefined ? null : /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  if (total !== undefined && (!Number.isSafeInteger(total) || end >= total)) return undefined;
  return { start, end, total };
}

/** RFC 9110 §8.8.3: a strong entity tag is a quoted string without the `W/` prefix. */
export function isStrongEtag(value: string | undefined): value is string {
  return value !== undefined && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(value);
}

/** RFC 9110 §8.8.2.2: a Last-Modified at least one second before the response's Date is strong. */
function strongLastModified(headers: unknown): string | undefined {
  const lastModified = headerValue(headers, 'last-modified');
  const date = Date.parse(headerValue(headers, 'date') ?? '');
  if (lastModified === undefined) return undefined;
  const modified = Date.parse(lastModified);
  return Number.isFinite(modified) && Number.isFinite(date) && date - modified >= 1000
    ? lastModified
    : undefined;
}

/**
 * How the body of this first response can be resumed, or why it cannot. RFC 9110 §13.1.5: If-Range
 * carries a strong ETag, else a strong Last-Modified date; never a weak validator.
 */
export function planResume(facts: FirstResponseFacts): ResumePlan | string {
  // RFC 9110 §14.2: Range is defined for GET only.
  if (facts.method.toUpperCase() !== 'GET') return `${facts.method.toUpperCase()} responses are not resumed`;
  if (facts.requestedRange) return 'the request carried its own Range header';
  if (facts.status !== 200) return `the first response was ${facts.status}, not 200`;
  if (facts.decoded) return 'the body was content-decoded, so byte offsets are not the server’s';
  const acceptRanges = headerValue(facts.headers, 'accept-ranges') ?? '';
  // RFC 9110 §14.3: Accept-Ranges lists range units; `none` or absence promises nothing.
  if (!acceptRanges.split(',').some((unit) => unit.trim().toLowerCase() === 'bytes')) {
    return 'the server does not announce Accept-Ranges: bytes';
  }
  const etag = headerValue(facts.headers, 'etag');
  if (isStrongEtag(etag)) return { ifRange: etag, etag, lastModified: undefined };
  const lastModified = strongLastModified(facts.headers);
  if (lastModified !== undefined) return { ifRange: lastModified, etag: undefined, lastModified };
  return 'the response has no strong validator (ETag or Last-Modified) for If-Range';
}

/**
 * Checks a reply to `Range: bytes=<received>-` before any of its bytes are used: a `206` for the
 * same representation whose range starts exactly at `received`. Returns the range, or why not.
 */
export function checkResumeReply(
  status: number,
  headers: unknown,
  plan: ResumePlan,
  received: number,
  total: number | undefined,
): ContentRange | string {
  if (status === 200) return 'the server sent the whole body again (200): it changed or ignores ranges';
  if (status !== 206) return `the server answered ${status} instead of 206`;
  const range = parseContentRange(headerValue(headers, 'content-range'));
  if (range === undefined) return 'the 206 has no valid single Content-Range';
  if (range.start !== received) return `Content-Range starts at byte ${range.start}, not ${received}`;
  if (total !== undefined && range.total !== total) {
    return `Content-Range length ${range.total ?? '*'} differs from the first response's ${total}`;
  }
  const length = contentLength(headers);
  if (length !== undefined && length !== range.end - range.start + 1) {
    return `Content-Length ${length} does not match Content-Range ${range.start}-${range.end}`;
  }
  // RFC 9110 §15.3.7: a 206 carries the validators a 200 would have; they must not have changed.
  if (plan.etag !== undefined && headerValue(headers, 'etag') !== plan.etag) return 'the ETag changed';
  const lastModified = headerValue(headers, 'last-modified');
  if (plan.lastModified !== undefined && lastModified !== undefined && lastModified !== plan.lastModified) {
    return 'Last-Modified changed';
  }
  return range;
}
