// Percentiles and the few number formats the report uses.

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: readonly number[]): number {
  return percentile(sortedCopy(values), 50);
}

export const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MiB`);
export const secs = (ms: number | null): string => (ms === null || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
export const ms = (v: number | null): string => (v === null || Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);
export const int = (n: number): string => n.toLocaleString('en-US');
