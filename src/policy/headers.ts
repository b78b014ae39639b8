/** One header from `AxiosHeaders` or a plain object, as a string; case-insensitive. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const bag = headers as Record<string, unknown> & { get?: (name: string) => unknown };
  const lower = name.toLowerCase();
  const raw =
    typeof bag.get === 'function'
      ? bag.get(name)
      : bag[Object.keys(bag).find((key) => key.toLowerCase() === lower) ?? lower];
  if (raw === undefined || raw === null || raw === false) return undefined;
  return Array.isArray(raw) ? raw.join(', ') : String(raw);
}
