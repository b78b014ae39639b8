import type { StoreLink, Answer } from './link.js';
import type { LuaScript } from './scripts.js';

/**
 * One call a flush sends: a script with its keys and arguments. An operation that adds counts
 * carries an id (its marker key) and, when it gets no answer, is sent again with the same id by a
 * later flush (the marker admits it once) until it is older than `maxAgeMs`.
 */
export interface Operation {
  readonly script: LuaScript;
  readonly keys: readonly string[];
  readonly args: readonly string[];
  readonly bornAt: number;
  /** Sent again after no answer while younger than this; 0: never sent again. */
  readonly maxAgeMs: number;
  readonly onAnswer?: ((answer: readonly unknown[]) => void) | undefined;
}

/** What the guards see of their store. */
export interface StoreHub {
  readonly link: StoreLink;
  readonly flushMs: number;
  /** This store's id: messages it published itself are not applied twice. */
  readonly sender: string;
  readonly channel: string;
  readonly now: () => number;
  /** A key of this prefix, under its hash tag: `{prefix}:part:part`. */
  key(...parts: string[]): string;
  /** A fresh operation id's marker key. */
  marker(): string;
  /** Sends now (bounded); an operation with an id that gets no answer is kept for the next flush. */
  send(operation: Operation): Promise<Answer>;
}

/** The marker TTL to pass to a script for an operation with an id: long enough for its re-sends. */
export function markerTtl(maxAgeMs: number): string {
  return String(Math.ceil(maxAgeMs * 2));
}
