import { Redis } from 'ioredis';
import { createClient } from 'redis';

/** The two clients the store accepts, connected with the settings docs/fleet.md recommends. */
export type ClientKind = 'node-redis' | 'ioredis';

export interface ConnectedClient {
  readonly client: unknown;
  /** A raw command on this client, for the tests' own checks. */
  command(args: string[]): Promise<unknown>;
  quit(): Promise<void>;
}

export async function connectClient(kind: ClientKind, url: string): Promise<ConnectedClient> {
  if (kind === 'ioredis') {
    const client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(times * 20, 200),
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    return {
      client,
      command: ([name, ...args]) => client.call(name as string, ...(args as string[])),
      quit: async () => {
        client.disconnect();
      },
    };
  }
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(retries * 20, 200) },
  });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    command: (args) => client.sendCommand(args),
    quit: async () => {
      client.destroy();
    },
  };
}
