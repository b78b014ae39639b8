/**
 * A Node built-in module, or `undefined` outside Node. `process.getBuiltinModule` (Node ≥ 20.16)
 * loads it without a top-level import, so browser bundles never see `node:*`.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const load = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  return typeof load === 'function' ? (load(id) as T | undefined) : undefined;
}
