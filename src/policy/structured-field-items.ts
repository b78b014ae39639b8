/**
 * The bare items of HTTP Structured Field Values (RFC 9651 §3.3) and keys, read from a
 * {@link Cursor} by the algorithms of RFC 9651 §4.2.3.1 to §4.2.10. Each reader consumes what it
 * reads and answers `undefined` when the input is malformed; none throws.
 */

export type BareItem =
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'decimal'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'token'; readonly value: string }
  | { readonly type: 'byte-sequence'; readonly value: Uint8Array }
  | { readonly type: 'boolean'; readonly value: boolean }
  /** Seconds since the Unix epoch (RFC 9651 §3.3.7). */
  | { readonly type: 'date'; readonly value: number }
  | { readonly type: 'display-string'; readonly value: string };

/** Where a parse is in its input. */
export class Cursor {
  position = 0;
  constructor(readonly input: string) {}

  get done(): boolean {
    return this.position >= this.input.length;
  }

  /** The current character's code, or -1 at the end. */
  peek(): number {
    return this.done ? -1 : this.input.charCodeAt(this.position);
  }

  skipSpaces(): void {
    while (this.peek() === SP) this.position += 1;
  }

  /** OWS: spaces and horizontal tabs (RFC 9110 §5.6.3). */
  skipOptionalWhitespace(): void {
    for (let c = this.peek(); c === SP || c === HTAB; c = this.peek()) this.position += 1;
  }
}

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const STAR = 0x2a;
const QUESTION = 0x3f;
const AT = 0x40;
const PERCENT = 0x25;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLowerAlpha = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number): boolean => isLowerAlpha(c) || (c >= 0x41 && c <= 0x5a);
// RFC 9110 §5.6.2: tchar; RFC 9651 §3.3.4 adds `:` and `/` inside a token.
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~:/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN_CHARS[c.charCodeAt(0)] = 1;
}
const isTokenChar = (c: number): boolean => c >= 0 && c < 128 && TOKEN_CHARS[c] === 1;
const isKeyChar = (c: number): boolean =>
  isLowerAlpha(c) || isDigit(c) || c === 0x5f || c === MINUS || c === DOT || c === STAR;
const isBase64Char = (c: number): boolean =>
  isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2f || c === EQUALS;

/** RFC 9651 §4.2.3.1: the first character decides the type. */
export function bareItemOf(cursor: Cursor): BareItem | undefined {
  const c = cursor.peek();
  if (c === MINUS || isDigit(c)) return numberOf(cursor);
  if (c === DQUOTE) return stringOf(cursor);
  if (isAlpha(c) || c === STAR) return tokenOf(cursor);
  if (c === COLON) return byteSequenceOf(cursor);
  if (c === QUESTION) return booleanOf(cursor);
  if (c === AT) return dateOf(cursor);
  if (c === PERCENT) return displayStringOf(cursor);
  return undefined;
}

/** RFC 9651 §4.2.3.3: lcalpha or `*`, then lcalpha, DIGIT, `_`, `-`, `.`, `*`. */
export function keyOf(cursor: Cursor): string | undefined {
  const start = cursor.position;
  const first = cursor.peek();
  if (!isLowerAlpha(first) && first !== STAR) return undefined;
  cursor.position += 1;
  while (isKeyChar(cursor.peek())) cursor.position += 1;
  return cursor.input.slice(start, cursor.position);
}

/** RFC 9651 §4.2.4: at most 15 integer digits; a decimal has at most 12 + 3 digits. */
function numberOf(cursor: Cursor): BareItem | undefined {
  const negative = cursor.peek() === MINUS;
  if (negative) cursor.position += 1;
  if (!isDigit(cursor.peek())) return undefined;
  const start = cursor.position;
  let dot = -1;
  for (let c = cursor.peek(); isDigit(c) || (c === DOT && dot < 0); c = cursor.peek()) {
    if (c === DOT) {
      if (cursor.position - start > 12) return undefined;
      dot = cursor.position;
    }
    cursor.position += 1;
    if (cursor.position - start > (dot < 0 ? 15 : 16)) return undefined;
  }
  const digits = cursor.input.slice(start, cursor.position);
  const magnitude = Number(digits);
  const value = negative && magnitude !== 0 ? -magnitude : magnitude;
  if (dot < 0) return { type: 'integer', value };
  const fractionDigits = cursor.position - dot - 1;
  if (fractionDigits < 1 || fractionDigits > 3) return undefined;
  return { type: 'decimal', value };
}

/** RFC 9651 §4.2.5: printable ASCII between quotes; only `\"` and `\\` are escapes. */
function stringOf(cursor: Cursor): BareItem | undefined {
  cursor.position += 1;
  let value = '';
  let runStart = cursor.position;
  while (!cursor.done) {
    const c = cursor.peek();
    if (c === DQUOTE) {
      value += cursor.input.slice(runStart, cursor.position);
      cursor.position += 1;
      return { type: 'string', value };
    }
    if (c < 0x20 || c > 0x7e) return undefined;
    if (c === BACKSLASH) {
      value += cursor.input.slice(runStart, cursor.position);
      cursor.position += 1;
      const escaped = cursor.peek();
      if (escaped !== DQUOTE && escaped !== BACKSLASH) return undefined;
      runStart = cursor.position;
    }
    cursor.position += 1;
  }
  return undefined;
}

/** RFC 9651 §4.2.6: ALPHA or `*`, then tchar, `:` or `/`. */
function tokenOf(cursor: Cursor): BareItem {
  const start = cursor.position;
  cursor.position += 1;
  while (isTokenChar(cursor.peek())) cursor.position += 1;
  return { type: 'token', value: cursor.input.slice(start, cursor.position) };
}

/** RFC 9651 §4.2.7: base64 between colons; missing padding and non-zero pad bits are accepted. */
function byteSequenceOf(cursor: Cursor): BareItem | undefined {
  const start = cursor.position + 1;
  const end = cursor.input.indexOf(':', start);
  if (end < 0) return undefined;
  cursor.position = end + 1;
  const bytes = decodeBase64(cursor.input, start, end);
  return bytes && { type: 'byte-sequence', value: bytes };
}

function decodeBase64(input: string, start: number, end: number): Uint8Array | undefined {
  let dataEnd = end;
  for (let i = start; i < end; i++) {
    const c = input.charCodeAt(i);
    if (!isBase64Char(c)) return undefined;
    if (c === EQUALS && dataEnd === end) dataEnd = i;
  }
  // RFC 4648 §3.2: padding only at the end, at most two characters of it, and only where it fits.
  const padding = end - dataEnd;
  const length = dataEnd - start;
  if (padding > 2 || (padding > 0 && (length + padding) % 4 !== 0)) return undefined;
  for (let i = dataEnd; i < end; i++) if (input.charCodeAt(i) !== EQUALS) return undefined;
  if (length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (let i = start; i < dataEnd; i++) {
    buffer = ((buffer << 6) | sextet(input.charCodeAt(i))) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

function sextet(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (isLowerAlpha(c)) return c - 0x61 + 26;
  if (isDigit(c)) return c - 0x30 + 52;
  return c === 0x2b ? 62 : 63;
}

/** RFC 9651 §4.2.8: `?1` or `?0`. */
function booleanOf(cursor: Cursor): BareItem | undefined {
  cursor.position += 1;
  const c = cursor.peek();
  if (c !== 0x30 && c !== 0x31) return undefined;
  cursor.position += 1;
  return { type: 'boolean', value: c === 0x31 };
}

/** RFC 9651 §4.2.9: `@` and an Integer (a Decimal fails). */
function dateOf(cursor: Cursor): BareItem | undefined {
  cursor.position += 1;
  const number = numberOf(cursor);
  return number?.type === 'integer' ? { type: 'date', value: number.value } : undefined;
}

/** RFC 9651 §4.2.10: `%"`, printable ASCII with `%xx` (lowercase hex) escapes, `"`; UTF-8. */
function displayStringOf(cursor: Cursor): BareItem | undefined {
  cursor.position += 1;
  if (cursor.peek() !== DQUOTE) return undefined;
  cursor.position += 1;
  const bytes: number[] = [];
  while (!cursor.done) {
    const c = cursor.peek();
    cursor.position += 1;
    if (c < 0x20 || c > 0x7e) return undefined;
    if (c === DQUOTE) return utf8(bytes);
    if (c !== PERCENT) {
      bytes.push(c);
      continue;
    }
    const high = lowerHex(cursor.peek());
    cursor.position += 1;
    const low = lowerHex(cursor.peek());
    cursor.position += 1;
    if (high < 0 || low < 0) return undefined;
    bytes.push(high * 16 + low);
  }
  return undefined;
}

function lowerHex(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function utf8(bytes: number[]): BareItem | undefined {
  try {
    const value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
    return { type: 'display-string', value };
  } catch {
    return undefined;
  }
}
