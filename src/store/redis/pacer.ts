import { ScopePacer } from '../../guards/scope-pacer.js';
import type { PacerGuard, PauseListener } from '../types.js';
import type { StoreHub } from './hub.js';
import { NO_ANSWER } from './link.js';
import { PAUSE_SCRIPT } from './scripts.js';

const MAX_WAIT_MS = 2 ** 31 - 1;

/**
 * A scope's pause shared by the fleet: a pause named by the server here is applied at once and
 * sent to Redis (a key whose TTL is the pause), which publishes it to every other process. The
 * pacing window (`observeQuota`) stays per process: it counts this process's attempts in flight.
 */
export class RedisPacer implements PacerGuard {
  private readonly local: ScopePacer;
  private readonly key: string;

  constructor(
    private readonly hub: StoreHub,
    private readonly scope: string,
    listener: PauseListener,
  ) {
    this.local = new ScopePacer(listener, hub.now);
    this.key = hub.key('pause', scope);
  }

  acquire(): number {
    return this.local.acquire();
  }

  pause(waitMs: number): void {
    this.local.pause(waitMs);
    if (!(waitMs > 0)) return;
    void this.tell(Math.ceil(Math.min(waitMs, MAX_WAIT_MS)));
  }

  observeQuota(remaining: number, resetMs: number): void {
    this.local.observeQuota(remaining, resetMs);
  }

  settle(): void {
    this.local.settle();
  }

  /** Another process was told to pause (published). */
  paused(waitMs: number): void {
    this.local.pause(waitMs);
  }

  /** Reads the pause now in force, e.g. on joining or rejoining the fleet. */
  sync(): Promise<void> {
    return this.tell(0);
  }

  private async tell(waitMs: number): Promise<void> {
    const hub = this.hub;
    const answer = await hub.link.run(
      PAUSE_SCRIPT,
      [this.key],
      [String(waitMs), hub.channel, this.scope, hub.sender],
    );
    if (answer === NO_ANSWER) return;
    const left = Number(answer[0]);
    if (left > waitMs) this.local.pause(left);
  }
}
