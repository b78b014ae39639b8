/** Monotonic milliseconds, for deadlines, windows and elapsed time. */
export const monotonicNow: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();
