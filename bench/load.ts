import { nowMs, sleepMs } from './stats.js';

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  /** Latency of each request that succeeded, ms. */
  okMs: number[];
  /** Time to failure of each request that failed, ms. */
  failedMs: number[];
  wallMs: number;
}

/**
 * Sends `rate` requests per second for `seconds`, open loop (a slow answer does not slow the
 * sending), then waits for every request to settle.
 */
export async function openLoop(
  send: () => Promise<unknown>,
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const result: LoadResult = { requests: total, ok: 0, failed: 0, okMs: [], failedMs: [], wallMs: 0 };
  const pending: Promise<void>[] = [];
  const start = nowMs();
  const one = (): Promise<void> => {
    const t0 = nowMs();
    return send().then(
      () => {
        result.ok += 1;
        result.okMs.push(nowMs() - t0);
      },
      () => {
        result.failed += 1;
        result.failedMs.push(nowMs() - t0);
      },
    );
  };
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) * rate) / 1000) + 1);
    while (sent < due) {
      pending.push(one());
      sent += 1;
    }
    await sleepMs(2);
  }
  await Promise.all(pending);
  result.wallMs = nowMs() - start;
  return result;
}

/** Runs `count` calls of `send`, `concurrency` at a time (1: one after the other). */
export async function closedLoop(
  send: (i: number) => Promise<unknown>,
  count: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export interface Call {
  start: number;
  ms: number;
  ok: boolean;
}

/** Open loop at `rate`/s for `seconds`, every call's start (epoch ms), duration and outcome. */
export async function openLoopCalls(
  send: () => Promise<unknown>,
  rate: number,
  seconds: number,
): Promise<Call[]> {
  const total = Math.max(1, Math.round(rate * seconds));
  const calls: Call[] = [];
  const pending: Promise<void>[] = [];
  const start = nowMs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) * rate) / 1000) + 1);
    while (sent < due) {
      const call: Call = { start: Date.now(), ms: 0, ok: false };
      const t0 = nowMs();
      calls.push(call);
      pending.push(
        send().then(
          () => {
            call.ok = true;
            call.ms = nowMs() - t0;
          },
          () => {
            call.ms = nowMs() - t0;
          },
        ),
      );
      sent += 1;
    }
    await sleepMs(2);
  }
  await Promise.all(pending);
  return calls;
}

/** `clients` callers share one instance, each sending its next GET when the last one settles. */
export async function callers(
  send: () => Promise<unknown>,
  clients: number,
  seconds: number,
): Promise<{ okMs: number[]; failed: number; wallMs: number }> {
  const okMs: number[] = [];
  let failed = 0;
  const start = nowMs();
  const until = start + seconds * 1000;
  const caller = async (): Promise<void> => {
    while (nowMs() < until) {
      const t0 = nowMs();
      try {
        await send();
        okMs.push(nowMs() - t0);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, caller));
  return { okMs, failed, wallMs: nowMs() - start };
}
