import fc from 'fast-check';
import {
  parseDictionary,
  parseItem,
  parseList,
  type BareItem,
  type Item,
  type Member,
} from '../../src/policy/structured-fields.js';

/** A member as plain data, easy to compare: `[value, params]` or `[[items], params]`. */
type Plain = [unknown, Record<string, unknown>];

function plainBare(item: BareItem): unknown {
  if (item.type === 'byte-sequence') return { bytes: Buffer.from(item.value).toString('utf8') };
  if (item.type === 'integer' || item.type === 'boolean' || item.type === 'string') return item.value;
  return { [item.type]: item.value };
}

function plainParams(params: ReadonlyMap<string, BareItem>): Record<string, unknown> {
  return Object.fromEntries([...params].map(([key, value]) => [key, plainBare(value)]));
}

function plain(member: Member): Plain {
  if (member.kind === 'item') return [plainBare(member.value), plainParams(member.params)];
  return [member.items.map((item: Item) => plain(item)), plainParams(member.params)];
}

const list = (field: string): Plain[] | undefined => parseList(field)?.map(plain);
const dictionary = (field: string): Record<string, Plain> | undefined => {
  const parsed = parseDictionary(field);
  return parsed && Object.fromEntries([...parsed].map(([key, member]) => [key, plain(member)]));
};

describe('parseList', () => {
  it('reads the draft-10 RateLimit example: a String with r and t parameters', () => {
    expect(list('"default";r=50;t=30')).toEqual([['default', { r: 50, t: 30 }]]);
  });

  it('reads several policies, each with its own parameters', () => {
    expect(list('"burst";q=100;w=60,"daily";q=1000;w=86400')).toEqual([
      ['burst', { q: 100, w: 60 }],
      ['daily', { q: 1000, w: 86400 }],
    ]);
  });

  it('reads a partition key given as a Byte Sequence parameter', () => {
    const [member] = parseList('"default";r=999;pk=:dHJpYWwxMjEzMjM=:')!;
    const pk = member!.params.get('pk');
    expect(pk?.type).toBe('byte-sequence');
    expect(Buffer.from(pk!.value as Uint8Array).toString('utf8')).toBe('trial121323');
  });

  it('reads a list of tokens (RFC 9651 §3.1)', () => {
    expect(list('sugar, tea, rum')).toEqual([
      [{ token: 'sugar' }, {}],
      [{ token: 'tea' }, {}],
      [{ token: 'rum' }, {}],
    ]);
  });

  it('reads inner lists, the empty one included (RFC 9651 §3.1.1)', () => {
    expect(list('("foo" "bar"), ("baz"), ("bat" "one"), ()')).toEqual([
      [
        [
          ['foo', {}],
          ['bar', {}],
        ],
        {},
      ],
      [[['baz', {}]], {}],
      [
        [
          ['bat', {}],
          ['one', {}],
        ],
        {},
      ],
      [[], {}],
    ]);
  });

  it('reads parameters on inner lists and on the items inside them', () => {
    expect(list('("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1')).toEqual([
      [[['foo', { a: 1, b: 2 }]], { lvl: 5 }],
      [
        [
          ['bar', {}],
          ['baz', {}],
        ],
        { lvl: 1 },
      ],
    ]);
  });

  it('reads a parameter without a value as Boolean true (RFC 9651 §3.1.2)', () => {
    expect(list('abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w')).toEqual([
      [{ token: 'abc' }, { a: 1, b: 2, cde_456: true }],
      [
        [
          [{ token: 'ghi' }, { jk: 4 }],
          [{ token: 'l' }, {}],
        ],
        { q: '9', r: { token: 'w' } },
      ],
    ]);
  });

  it('keeps the last value of a repeated parameter', () => {
    expect(list('"p";r=1;r=0')).toEqual([['p', { r: 0 }]]);
  });

  it('reads an empty field as an empty list', () => {
    expect(list('')).toEqual([]);
    expect(list('   ')).toEqual([]);
  });

  it('allows spaces around the field and spaces or tabs around commas', () => {
    expect(list('  a ,\tb\t, c  ')).toEqual([
      [{ token: 'a' }, {}],
      [{ token: 'b' }, {}],
      [{ token: 'c' }, {}],
    ]);
  });

  it.each([
    ['a trailing comma', 'a, b,'],
    ['an empty member', 'a,,b'],
    ['a lone comma', ','],
    ['a leading tab (only SP is discarded)', '\ta'],
    ['a space before a parameter', '"p" ;r=1'],
    ['a space before =', '"p";r =1'],
    ['an uppercase key', '"p";R=1'],
    ['a key starting with a digit', '"p";1r=1'],
    ['members without a comma', '"a" "b"'],
    ['an unclosed inner list', '("a" "b"'],
    ['inner-list items without a space', '("a""b")'],
    ['a Dictionary member', 'limit=100, remaining=0'],
    ['a character outside ASCII', '"caf\u00e9"'],
    ['an unknown first character', '"p", ]'],
  ])('fails the whole field on %s', (_what, field) => {
    expect(parseList(field)).toBeUndefined();
  });
});

describe('parseDictionary', () => {
  it('reads Strings and Byte Sequences (RFC 9651 §3.2)', () => {
    expect(dictionary('en="Applepie", da=:w4ZibGV0w6ZydGU=:')).toEqual({
      en: ['Applepie', {}],
      da: [{ bytes: 'Æbletærte' }, {}],
    });
  });

  it('reads a key without a value as Boolean true, with its parameters', () => {
    expect(dictionary('a=?0, b, c; foo=bar')).toEqual({
      a: [false, {}],
      b: [true, {}],
      c: [true, { foo: { token: 'bar' } }],
    });
  });

  it('reads a Decimal and an inner list as values', () => {
    expect(dictionary('rating=1.5, feelings=(joy sadness)')).toEqual({
      rating: [{ decimal: 1.5 }, {}],
      feelings: [
        [
          [{ token: 'joy' }, {}],
          [{ token: 'sadness' }, {}],
        ],
        {},
      ],
    });
  });

  it('reads the draft-07 RateLimit field', () => {
    expect(dictionary('limit=100, remaining=0, reset=30')).toEqual({
      limit: [100, {}],
      remaining: [0, {}],
      reset: [30, {}],
    });
  });

  it('keeps the last value of a repeated key, in the place of the first', () => {
    const parsed = parseDictionary('a=1, b=2, a=3');
    expect([...parsed!.keys()]).toEqual(['a', 'b']);
    expect(dictionary('a=1, b=2, a=3')).toEqual({ a: [3, {}], b: [2, {}] });
  });

  it.each([
    ['a trailing comma', 'a=1,'],
    ['a key in uppercase', 'A=1'],
    ['a value that is not an item', 'a=,'],
    ['a List member', '"default";r=0'],
  ])('fails the whole field on %s', (_what, field) => {
    expect(parseDictionary(field)).toBeUndefined();
  });
});

describe('parseItem: bare items', () => {
  const bare = (field: string): unknown => {
    const item = parseItem(field);
    return item && plainBare(item.value);
  };

  it('reads Integers up to 15 digits, negative ones too, and never -0', () => {
    expect(bare('42')).toBe(42);
    expect(bare('-42')).toBe(-42);
    expect(bare('999999999999999')).toBe(999_999_999_999_999);
    expect(bare('-999999999999999')).toBe(-999_999_999_999_999);
    expect(Object.is(bare('-0'), 0)).toBe(true);
  });

  it('reads Decimals with up to 12 integer and 3 fraction digits', () => {
    expect(bare('4.5')).toEqual({ decimal: 4.5 });
    expect(bare('-0.125')).toEqual({ decimal: -0.125 });
    expect(bare('123456789012.123')).toEqual({ decimal: 123456789012.123 });
  });

  it('reads Strings with their two escapes', () => {
    expect(bare('"hello \\"world\\" \\\\o/"')).toBe('hello "world" \\o/');
    expect(bare('""')).toBe('');
  });

  it('reads Tokens with : and / inside', () => {
    expect(bare('*foo:bar/baz.1')).toEqual({ token: '*foo:bar/baz.1' });
  });

  it('reads Byte Sequences, with or without padding', () => {
    expect(bare(':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:')).toEqual({
      bytes: 'pretend this is binary content.',
    });
    expect(bare(':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg:')).toEqual({
      bytes: 'pretend this is binary content.',
    });
    expect(bare('::')).toEqual({ bytes: '' });
  });

  it('reads Booleans, Dates and Display Strings', () => {
    expect(bare('?1')).toBe(true);
    expect(bare('?0')).toBe(false);
    expect(bare('@1659578233')).toEqual({ date: 1659578233 });
    expect(bare('%"This is intended for display to %c3%bcsers."')).toEqual({
      'display-string': 'This is intended for display to üsers.',
    });
  });

  it.each([
    ['an Integer of 16 digits', '1234567890123456'],
    ['a Decimal with 13 integer digits', '1234567890123.5'],
    ['a Decimal with 4 fraction digits', '1.1234'],
    ['a Decimal ending in a dot', '1.'],
    ['a lone minus', '-'],
    ['two dots', '1.2.3'],
    ['an unterminated String', '"abc'],
    ['an unknown escape', '"a\\nb"'],
    ['a control character in a String', '"a\tb"'],
    ['an unterminated Byte Sequence', ':abc'],
    ['a character outside base64', ':a*b=:'],
    ['padding in the middle', ':ab=c:'],
    ['a Boolean other than ?0 and ?1', '?2'],
    ['a Date that is a Decimal', '@1.5'],
    ['a Display String in uppercase hex', '%"%C3%BC"'],
    ['a Display String that is not UTF-8', '%"%ff"'],
    ['a Display String without quotes', '%abc'],
    ['two items', '1 2'],
  ])('fails on %s', (_what, field) => {
    expect(parseItem(field)).toBeUndefined();
  });
});

/** Valid Lists, built from parts, and written as RFC 9651 §4.1 serialises them. */
const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,6}$/);
const bareItem = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((value) => ({
    text: String(value),
    plain: value as unknown,
  })),
  fc.stringMatching(/^[ -~]{0,12}$/).map((value) => ({
    text: `"${value.replace(/[\\"]/g, '\\$&')}"`,
    plain: value as unknown,
  })),
  fc.stringMatching(/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,8}$/).map((value) => ({
    text: value,
    plain: { token: value } as unknown,
  })),
  fc.boolean().map((value) => ({ text: value ? '?1' : '?0', plain: value as unknown })),
);
const params = fc.uniqueArray(fc.tuple(key, bareItem), { selector: ([k]) => k, maxLength: 3 });
const item = fc.tuple(bareItem, params).map(([value, ps]) => ({
  text: value.text + ps.map(([k, v]) => (v.plain === true ? `;${k}` : `;${k}=${v.text}`)).join(''),
  plain: [value.plain, Object.fromEntries(ps.map(([k, v]) => [k, v.plain]))] as Plain,
}));

describe('parseList: properties', () => {
  it('reads back any list written in the RFC 9651 serialisation', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.constantFrom(',', ', ', ' ,\t'), (items, comma) => {
        expect(list(items.map((i) => i.text).join(comma))).toEqual(items.map((i) => i.plain));
      }),
    );
  });

  it('never throws, whatever the field, and answers a list or undefined', () => {
    const fragments = fc.constantFrom(
      '"',
      '\\',
      ',',
      ';',
      '=',
      '(',
      ')',
      ':',
      ' ',
      '\t',
      '?',
      '@',
      '%',
      '-',
      '.',
    );
    const field = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .array(fc.oneof(fragments, fc.string({ maxLength: 3 })), { maxLength: 20 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(field, (text) => {
        const parsed = parseList(text);
        expect(parsed === undefined || Array.isArray(parsed)).toBe(true);
        expect(() => parseDictionary(text)).not.toThrow();
        expect(() => parseItem(text)).not.toThrow();
      }),
    );
  });

  it('takes time linear in the length of a hostile field', () => {
    const hostile = [
      `"${'a'.repeat(200_000)}`,
      `${'('.repeat(100_000)}`,
      `${'a;b'.repeat(70_000)}`,
      `:${'A'.repeat(200_000)}`,
      `${'a, '.repeat(70_000)}`,
    ];
    const started = process.hrtime.bigint();
    for (const field of hostile) parseList(field);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(1000);
  });
});
