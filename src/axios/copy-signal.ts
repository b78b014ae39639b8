import axios, { type AxiosAdapter } from 'axios';

type AbortListener = (this: CopySignal, event: { type: 'abort'; target: CopySignal }) => void;

/**
 * The abort signal of one hedge copy, for axios's own adapters (`http`, `xhr`, `fetch`), which
 * only call `aborted`, `reason`, `addEventListener` and `removeEventListener` on it. A real
 * `AbortController` costs more than the rest of a hedged attempt's bookkeeping together (an
 * `EventTarget` per request); another adapter, which may hand the signal to `fetch()`, gets a real one.
 */
class CopySignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: AbortListener | null = null;
  private listeners: AbortListener[] | undefined;

  addEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort') (this.listeners ??= []).push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    const listeners = this.listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at !== -1) listeners.splice(at, 1);
  }

  /** The signal is its own controller. */
  get signal(): CopySignal {
    return this;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' as const, target: this };
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener.call(this, event);
    this.onabort?.call(this, event);
  }
}

/** What a copy's abort needs: the signal to put on its config, and `abort()`. */
export interface CopyAbort {
  readonly signal: CopySignal | AbortSignal;
  abort(reason?: unknown): void;
}

let builtIns: ReadonlySet<AxiosAdapter> | undefined;

/** axios's own adapters, as `axios.getAdapter` resolves them here (`fetch` from axios 1.7). */
function builtInAdapters(): ReadonlySet<AxiosAdapter> {
  if (builtIns !== undefined) return builtIns;
  const found = new Set<AxiosAdapter>();
  for (const name of ['http', 'xhr', 'fetch']) {
    try {
      found.add(axios.getAdapter(name));
    } catch {
      // Not in this build (`http` in a browser) or this axios (`fetch` before 1.7).
    }
  }
  return (builtIns = found);
}

/**
 * Another adapter's copy gets a real `AbortSignal`, made only if the adapter reads it (a test or
 * in-memory adapter never does): `config.signal` is a getter until the race is settled. An
 * adapter seen not to read it is given none (see `attachCopyAbort`).
 */
class LazyAbort implements CopyAbort {
  /** Set when the race is over: `config.signal` then reads as the caller's again. */
  settled = false;
  private controller: AbortController | undefined;
  private aborted = false;
  private reason: unknown;

  constructor(
    readonly caller: unknown,
    readonly habit: SignalHabit,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** Whether an adapter of the caller's reads `config.signal` at all. */
interface SignalHabit {
  reads: boolean;
  calls: number;
}

const habits = new WeakMap<AxiosAdapter, SignalHabit>();
/** The adapter asked about last, and its habit: most apps have one adapter. */
let lastAdapter: AxiosAdapter | undefined;
let lastHabit: SignalHabit | undefined;

/** The copy of an adapter that never reads its signal: nothing can abort it, nothing is put on it. */
const UNABORTABLE: CopyAbort = Object.freeze({
  signal: undefined as unknown as AbortSignal,
  abort: () => undefined,
});

/** Where a config keeps its lazy abort, for the accessor below. */
const LAZY_KEY = '__axiosResilienceCopyAbort';

type CopyConfig = { signal?: unknown; [LAZY_KEY]?: LazyAbort };

// One getter and setter for every config: distinct closures would give each config its own
// hidden class, and every property read of axios on it would slow down.
function readSignal(this: CopyConfig): unknown {
  const lazy = this[LAZY_KEY] as LazyAbort;
  if (lazy.settled) return lazy.caller;
  lazy.habit.reads = true;
  return lazy.signal;
}

function writeSignal(this: CopyConfig, value: unknown): void {
  Object.defineProperty(this, 'signal', { configurable: true, enumerable: true, writable: true, value });
}

const SIGNAL_ACCESSOR: PropertyDescriptor = Object.freeze({
  configurable: true,
  enumerable: true,
  get: readSignal,
  set: writeSignal,
});

/**
 * Puts a copy's abort signal on its config: a cheap one for axios's own adapters, else a lazy
 * real one. Call `settleCopyAbort()` when the race is over: the config's `signal` is the caller's again
 * (axios reads it after the adapter answers, and so do the response's readers and the retry loop).
 */
export function attachCopyAbort(config: CopyConfig, adapter: AxiosAdapter, caller: unknown): CopyAbort {
  if (builtInAdapters().has(adapter)) {
    const signal = new CopySignal();
    config.signal = signal;
    return signal;
  }
  let habit = adapter === lastAdapter ? lastHabit : habits.get(adapter);
  if (habit === undefined) habits.set(adapter, (habit = { reads: false, calls: 0 }));
  // An adapter that did not read the signal is not given one (nothing to abort there), but is
  // asked again every 64th call, in case it reads it only sometimes.
  else if (!habit.reads && (++habit.calls & 63) !== 0) return UNABORTABLE;
  lastAdapter = adapter;
  lastHabit = habit;
  const lazy = new LazyAbort(caller, habit);
  config[LAZY_KEY] = lazy;
  Object.defineProperty(config, 'signal', SIGNAL_ACCESSOR);
  return lazy;
}

/** The race is over: the copy's config carries the caller's signal again. */
export function settleCopyAbort(config: CopyConfig, abort: CopyAbort, caller: unknown): void {
  if (abort instanceof LazyAbort) abort.settled = true;
  else if (abort !== UNABORTABLE) config.signal = caller;
}
