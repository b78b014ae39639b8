/** Throws the TypeError every option check throws: `Expected \`retries\` to be …, got -1`. */
export function invalidOption(name: string, expected: string, value: unknown): never {
  throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** A value as an error message shows it: strings quoted, objects by kind (never their contents). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
