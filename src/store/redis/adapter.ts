import type { LuaScript } from './scripts.js';

/**
 * A connected node-redis client (the `redis` package, 4 and later): what the store uses of it.
 * Typed by shape, so this package's types name neither client's package.
 */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): unknown;
}

/** A connected node-redis cluster (`createCluster`): its `sendCommand` wants the first key. */
export interface NodeRedisClusterClient {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  duplicate(): unknown;
}

/** A connected ioredis client (or `Cluster`): what the store uses of it. */
export interface IoRedisClient {
  evalsha(sha1: string, numKeys: number, ...args: string[]): Promise<unknown>;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  duplicate(): unknown;
}

/** The two clients the store accepts. */
export type RedisClient = NodeRedisClient | NodeRedisClusterClient | IoRedisClient;

/** What the store needs from a client, whichever it is. */
export interface RedisAdapter {
  /** `EVALSHA`, falling back to `EVAL` (which caches the script) when the server answers NOSCRIPT. */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  /** `SCRIPT LOAD`, so the first call is one round trip (best effort: `run` falls back anyway). */
  load(script: LuaScript): Promise<unknown>;
  /**
   * Subscribes `onMessage` to `channel` on a second connection (`duplicate()` of the client), in
   * the background; `onReady` is called each time the subscription is (re-)established, so the
   * store can catch up on what it missed. Errors of that connection go to `onError`.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onReady: () => void,
    onError: (error: unknown) => void,
  ): void;
  /** Closes the second connection (never the client it was given). */
  close(): Promise<void>;
}

type Loose = Record<string, unknown>;
type Method = (...args: unknown[]) => unknown;

/** ioredis has lowercase `evalsha` and `defineCommand`; node-redis 4+ has `sendCommand` and `evalSha`. */
export function adapterFor(client: unknown): RedisAdapter {
  const candidate = (typeof client === 'object' && client !== null ? client : {}) as Loose;
  if (typeof candidate.evalsha === 'function' && typeof candidate.defineCommand === 'function') {
    return new IoRedisAdapter(candidate);
  }
  if (
    typeof candidate.sendCommand === 'function' &&
    (typeof candidate.evalSha === 'function' || typeof candidate.EVALSHA === 'function')
  ) {
    return new NodeRedisAdapter(candidate);
  }
  throw new TypeError(
    'Expected `createRedisStore` to be given a connected node-redis (`redis` 4+) or ioredis client, got ' +
      (client === null ? 'null' : typeof client),
  );
}

function isNoScript(error: unknown): boolean {
  return String((error as { message?: unknown } | null)?.message ?? error).startsWith('NOSCRIPT');
}

function call(target: Loose, name: string, ...args: unknown[]): unknown {
  return (target[name] as Method).apply(target, args);
}

/** node-redis: raw commands through `sendCommand`; a cluster client wants the first key and readonly. */
class NodeRedisAdapter implements RedisAdapter {
  private subscriber: Loose | undefined;
  private readonly cluster: boolean;

  constructor(private readonly client: Loose) {
    this.cluster = Array.isArray(client.masters) || typeof client.getMasters === 'function';
  }

  private send(args: string[], key?: string): Promise<unknown> {
    return (
      this.cluster
        ? call(this.client, 'sendCommand', key, false, args)
        : call(this.client, 'sendCommand', args)
    ) as Promise<unknown>;
  }

  async run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const rest = [String(keys.length), ...keys, ...args];
    try {
      return await this.send(['EVALSHA', script.sha1, ...rest], keys[0]);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.send(['EVAL', script.source, ...rest], keys[0]);
    }
  }

  async ping(): Promise<unknown> {
    return this.cluster ? this.send(['PING'], '') : this.send(['PING']);
  }

  async load(script: LuaScript): Promise<unknown> {
    // A cluster loads it on the node that first runs it (EVAL's fallback).
    return this.cluster ? undefined : this.send(['SCRIPT', 'LOAD', script.source]);
  }

  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onReady: () => void,
    onError: (error: unknown) => void,
  ): void {
    const subscriber = call(this.client, 'duplicate') as Loose;
    this.subscriber = subscriber;
    call(subscriber, 'on', 'error', onError);
    let subscribed = false;
    // node-redis re-subscribes by itself after a reconnect; 'ready' tells us it happened.
    call(subscriber, 'on', 'ready', () => {
      if (subscribed) onReady();
    });
    void (async () => {
      try {
        await (call(subscriber, 'connect') as Promise<unknown>);
        await (call(subscriber, 'subscribe', channel, (message: unknown) =>
          onMessage(String(message)),
        ) as Promise<unknown>);
        subscribed = true;
        onReady();
      } catch (error) {
        onError(error);
      }
    })();
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    try {
      // node-redis 5+: destroy(); 4: disconnect(). Both drop the socket at once.
      if (typeof subscriber.destroy === 'function') call(subscriber, 'destroy');
      else await (call(subscriber, 'disconnect') as Promise<unknown>);
    } catch {
      // Already closed.
    }
  }
}

/** ioredis: `evalsha` / `eval`; its duplicate connects by itself and re-subscribes after a reconnect. */
class IoRedisAdapter implements RedisAdapter {
  private subscriber: Loose | undefined;

  constructor(private readonly client: Loose) {}

  async run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await (call(
        this.client,
        'evalsha',
        script.sha1,
        keys.length,
        ...keys,
        ...args,
      ) as Promise<unknown>);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return call(this.client, 'eval', script.source, keys.length, ...keys, ...args) as Promise<unknown>;
    }
  }

  async ping(): Promise<unknown> {
    return call(this.client, 'ping') as Promise<unknown>;
  }

  async load(script: LuaScript): Promise<unknown> {
    return call(this.client, 'script', 'LOAD', script.source) as Promise<unknown>;
  }

  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onReady: () => void,
    onError: (error: unknown) => void,
  ): void {
    const subscriber = call(this.client, 'duplicate') as Loose;
    this.subscriber = subscriber;
    call(subscriber, 'on', 'error', onError);
    call(subscriber, 'on', 'message', (from: unknown, message: unknown) => {
      if (from === channel) onMessage(String(message));
    });
    let subscribed = false;
    const start = async (): Promise<void> => {
      try {
        await (call(subscriber, 'subscribe', channel) as Promise<unknown>);
        subscribed = true;
        onReady();
      } catch (error) {
        onError(error);
      }
    };
    // With the offline queue off, SUBSCRIBE must wait for the connection to be ready.
    call(subscriber, 'on', 'ready', () => {
      if (subscribed) onReady();
      else void start();
    });
    if (subscriber.status === 'ready') void start();
    // A duplicate of a `lazyConnect` client waits to be told.
    else if (subscriber.status === 'wait') (call(subscriber, 'connect') as Promise<unknown>).catch(onError);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    try {
      call(subscriber, 'disconnect');
    } catch {
      // Already closed.
    }
  }
}
