import { binaryUnit, elapsedMs, ellipsis, relativeTime, twoUnitDuration } from '@cronfleet/shared';
import { stringify } from 'yaml';

/** Output formats every admin command takes with `-o`: a person's table, or the API's JSON or YAML for scripts. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Writes `data` as JSON or YAML unchanged (the API's own shape, stable for scripts), or `human()`
 * for `-o table`.
 */
export function render(format: OutputFormat, data: unknown, human: () => string): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return stringify(data);
  const text = human();
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** Aligned columns, two spaces apart, headers in capitals; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell)))).join('  ').trimEnd())
    .join('\n');
}

/** `Key:  value` lines with the values aligned; null is shown as `-`, undefined leaves the line out. */
export function describe(all: readonly (readonly [string, string | number | boolean | null | undefined])[]): string {
  const pairs = all.filter(([, v]) => v !== undefined);
  const w = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w)}  ${v === null || v === undefined || v === '' ? '-' : String(v)}`).join('\n');
}

/** A block under a heading, indented, for nested values (spec, env, labels) in `get` views. */
export function section(title: string, value: unknown): string {
  const body = typeof value === 'string' ? value : stringify(value).trimEnd();
  return `${title}:\n${body.split('\n').map((l) => `  ${l}`).join('\n')}`;
}

/** `350ms`, then as shared's twoUnitDuration: `3s`, `4m 10s`, `2h 5m`, `3d 4h`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.floor(ms))}ms` : twoUnitDuration(ms);
}

/** How long it ran (to `nowMs` while it runs) as a {@link duration}; null before it started. */
export function ranFor(startIso: string | null, endIso: string | null, nowMs: number): string | null {
  const ms = elapsedMs(startIso, endIso, nowMs);
  return ms === null ? null : duration(ms);
}

/** `in 4m 10s` or `3h 2m ago` relative to `nowMs`; `-` for null. */
export function relative(iso: string | null | undefined, nowMs: number): string {
  return relativeTime(iso, nowMs, '-');
}

/** An instant as ISO-8601 with its relative time: `2026-03-08T07:00:00.000Z (in 3d 4h)`. */
export function when(iso: string | null | undefined, nowMs: number): string {
  return iso ? `${iso} (${relative(iso, nowMs)})` : '-';
}

/** `k=v,k2=v2`, or `-` when empty. */
export function keyValues(o: Record<string, string> | null | undefined): string {
  const entries = Object.entries(o ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '-';
}

/** One line (runs of whitespace as one space), cut to `max` characters with an ellipsis. */
export function truncate(s: string, max: number): string {
  return ellipsis(s.replace(/\s+/g, ' ').trim(), max);
}

/** `1.5 KiB`, `512 B`; `-` for none. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  const { value, unit } = binaryUnit(n);
  return `${unit === 'B' ? value : value.toFixed(1)} ${unit}`;
}

/** Display width: code points, so names with accents or `…` still line up. */
function width(s: string): number {
  return [...s].length;
}
