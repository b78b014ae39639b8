/** Something the clock calls back once its time has come. */
export interface HedgeTimer {
  /** When to call `due()`, on the monotonic clock. */
  dueAt: number;
  /** Where it sits in the clock's list (-1: not scheduled). */
  slot: number;
  due(): void;
}

/**
 * One timer for every hedged request of an instance: a request that answers before its hedge
 * delay (almost all of them) costs a push and a swap-remove, not a `setTimeout` and a
 * `clearTimeout`. The timer is armed for the earliest due time and never holds a process open.
 */
export class HedgeClock {
  private readonly waiting: HedgeTimer[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  schedule(entry: HedgeTimer): void {
    entry.slot = this.waiting.push(entry) - 1;
    if (entry.dueAt < this.armedFor) this.arm(entry.dueAt);
  }

  cancel(entry: HedgeTimer): void {
    const at = entry.slot;
    if (at < 0) return;
    entry.slot = -1;
    const last = this.waiting.pop() as HedgeTimer;
    if (last !== entry) {
      this.waiting[at] = last;
      last.slot = at;
    }
  }

  private arm(dueAt: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = dueAt;
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(dueAt - this.now())));
    (this.timer as { unref?: () => void }).unref?.();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    const due: HedgeTimer[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.waiting) {
      if (entry.dueAt <= now) due.push(entry);
      else if (entry.dueAt < next) next = entry.dueAt;
    }
    for (const entry of due) this.cancel(entry);
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const entry of due) entry.due();
  };
}
