/**
 * A parser for HTTP Structured Field Values (RFC 9651): Lists, Dictionaries and Items, with every
 * bare item type. It follows the parsing algorithms of RFC 9651 §4.2 step by step: any malformation
 * fails the whole field (`undefined`), nothing throws, and every step consumes input, so the time
 * taken is linear in the field's length.
 */

import { bareItemOf, Cursor, keyOf, type BareItem } from './structured-field-items.js';

export type { BareItem } from './structured-field-items.js';

/** Parameters in the order they came; a repeated key keeps its first place and its last value. */
export type Parameters = ReadonlyMap<string, BareItem>;

export interface Item {
  readonly kind: 'item';
  readonly value: BareItem;
  readonly params: Parameters;
}

export interface InnerList {
  readonly kind: 'inner-list';
  readonly items: readonly Item[];
  readonly params: Parameters;
}

/** A member of a List, or a value of a Dictionary. */
export type Member = Item | InnerList;

export type List = readonly Member[];
export type Dictionary = ReadonlyMap<string, Member>;

/** A List field (RFC 9651 §4.2.1), or `undefined` when it is malformed. An empty field is `[]`. */
export function parseList(field: string): List | undefined {
  return parseField(field, listOf);
}

/** A Dictionary field (RFC 9651 §4.2.2), or `undefined` when it is malformed. */
export function parseDictionary(field: string): Dictionary | undefined {
  return parseField(field, dictionaryOf);
}

/** An Item field (RFC 9651 §4.2.3), or `undefined` when it is malformed. */
export function parseItem(field: string): Item | undefined {
  return parseField(field, itemOf);
}

const SP = 0x20;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;

function parseField<T>(field: string, parse: (cursor: Cursor) => T | undefined): T | undefined {
  if (typeof field !== 'string') return undefined;
  // RFC 9651 §4.2 step 1: the field must be ASCII.
  for (let i = 0; i < field.length; i++) if (field.charCodeAt(i) > 0x7f) return undefined;
  const cursor = new Cursor(field);
  cursor.skipSpaces();
  const value = parse(cursor);
  if (value === undefined) return undefined;
  cursor.skipSpaces();
  return cursor.done ? value : undefined;
}

/** Members separated by commas with optional whitespace around them (RFC 9651 §4.2.1). */
function listOf(cursor: Cursor): Member[] | undefined {
  const members: Member[] = [];
  while (!cursor.done) {
    const member = memberOf(cursor);
    if (member === undefined) return undefined;
    members.push(member);
    const next = separator(cursor);
    if (next !== MORE) return next === END ? members : undefined;
  }
  return members;
}

/** RFC 9651 §4.2.2: `key=value` or a bare `key` (Boolean true), with parameters. */
function dictionaryOf(cursor: Cursor): Map<string, Member> | undefined {
  const dictionary = new Map<string, Member>();
  while (!cursor.done) {
    const key = keyOf(cursor);
    if (key === undefined) return undefined;
    let member: Member | undefined;
    if (cursor.peek() === EQUALS) {
      cursor.position += 1;
      member = memberOf(cursor);
    } else {
      const params = parametersOf(cursor);
      member = params && { kind: 'item', value: { type: 'boolean', value: true }, params };
    }
    if (member === undefined) return undefined;
    dictionary.set(key, member);
    const next = separator(cursor);
    if (next !== MORE) return next === END ? dictionary : undefined;
  }
  return dictionary;
}

const END = 0;
const MORE = 1;
const MALFORMED = 2;

/** After a member: the end of the field, a comma before another member, or anything else. */
function separator(cursor: Cursor): typeof END | typeof MORE | typeof MALFORMED {
  cursor.skipOptionalWhitespace();
  if (cursor.done) return END;
  if (cursor.peek() !== COMMA) return MALFORMED;
  cursor.position += 1;
  cursor.skipOptionalWhitespace();
  // RFC 9651 §4.2.1: a trailing comma fails.
  return cursor.done ? MALFORMED : MORE;
}

function memberOf(cursor: Cursor): Member | undefined {
  return cursor.peek() === OPEN_PAREN ? innerListOf(cursor) : itemOf(cursor);
}

/** RFC 9651 §4.2.1.2: `(` items separated by spaces `)`, then parameters. */
function innerListOf(cursor: Cursor): InnerList | undefined {
  cursor.position += 1;
  const items: Item[] = [];
  while (!cursor.done) {
    cursor.skipSpaces();
    if (cursor.peek() === CLOSE_PAREN) {
      cursor.position += 1;
      const params = parametersOf(cursor);
      return params && { kind: 'inner-list', items, params };
    }
    const item = itemOf(cursor);
    if (item === undefined) return undefined;
    items.push(item);
    const next = cursor.peek();
    if (next !== SP && next !== CLOSE_PAREN) return undefined;
  }
  return undefined;
}

/** RFC 9651 §4.2.3: a bare item, then its parameters. */
function itemOf(cursor: Cursor): Item | undefined {
  const value = bareItemOf(cursor);
  if (value === undefined) return undefined;
  const params = parametersOf(cursor);
  return params && { kind: 'item', value, params };
}

/** RFC 9651 §4.2.3.2: `;key` (Boolean true) or `;key=bare-item`, spaces allowed after `;`. */
function parametersOf(cursor: Cursor): Map<string, BareItem> | undefined {
  const params = new Map<string, BareItem>();
  while (cursor.peek() === SEMICOLON) {
    cursor.position += 1;
    cursor.skipSpaces();
    const key = keyOf(cursor);
    if (key === undefined) return undefined;
    let value: BareItem | undefined = TRUE;
    if (cursor.peek() === EQUALS) {
      cursor.position += 1;
      value = bareItemOf(cursor);
      if (value === undefined) return undefined;
    }
    params.set(key, value);
  }
  return params;
}

const TRUE: BareItem = Object.freeze({ type: 'boolean', value: true });
