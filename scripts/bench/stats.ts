/**
 * Small helpers for benchmarks: timing windows and their median.
 *
 * @module
 */

/** The median of a non-empty list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs `work` `warmup` times, then `windows` timed windows of `repeats` calls each, and returns
 * the median milliseconds per call.
 */
export async function medianMsPerCall(
  work: () => void | Promise<void>,
  { warmup = 3, windows = 5, repeats = 10 } = {},
): Promise<number> {
  for (let i = 0; i < warmup; i++) await work();
  const perCall: number[] = [];
  for (let w = 0; w < windows; w++) {
    const start = performance.now();
    for (let i = 0; i < repeats; i++) await work();
    perCall.push((performance.now() - start) / repeats);
  }
  return median(perCall);
}
