import type { z } from 'zod';
import type { SerializedError } from './errors';
import { BatchEvents, EventSchemas } from './events';
import { MAX_BATCH } from './messages';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/**
 * Turns zod issues into one line naming each field and its problem: `spec.command: must not be empty`.
 * `root` names the value itself when an issue is about the whole of it (e.g. `id`, `body`).
 */
export function describeIssues(error: z.ZodError, root = 'value'): string {
  return error.issues
    .map((i) => {
      const path = i.path.map(String).join('.');
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown field`).join('; ');
      }
      return `${path || root}: ${i.message}`;
    })
    .join('; ');
}

/** Validates a value against a schema at the edge; never throws. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, what: string): ParseResult<z.output<S>> {
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: { code: 'InvalidMessage', message: `${what}: ${describeIssues(r.error, 'payload')}`, retryable: false } };
}

/** Validates the payload of a protocol event by its name. */
export function parseEvent<E extends keyof typeof EventSchemas>(
  event: E,
  data: unknown,
): ParseResult<z.output<(typeof EventSchemas)[E]>> {
  return parseWith(EventSchemas[event] as z.ZodType, data, event) as ParseResult<z.output<(typeof EventSchemas)[E]>>;
}

type BatchItem<E extends keyof typeof BatchEvents> = z.output<(typeof BatchEvents)[E]['item']>;

/**
 * Validates a batch event: the envelope (`{ <key>: [1..MAX_BATCH items] }`) as a whole, then each item
 * on its own, so one malformed item is refused (its error names `<key>[i]` and the field) and the
 * others still count. Never throws.
 */
export function parseBatch<E extends keyof typeof BatchEvents>(
  event: E,
  data: unknown,
): { ok: true; items: ParseResult<BatchItem<E>>[] } | { ok: false; error: SerializedError } {
  const { key, item } = BatchEvents[event];
  const list = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)[key] : undefined;
  const extra = list === undefined ? [] : Object.keys(data as object).filter((k) => k !== key);
  const problem =
    list === undefined ? `${key}: required, an array of 1 to ${MAX_BATCH} items`
    : !Array.isArray(list) ? `${key}: expected an array`
    : list.length === 0 || list.length > MAX_BATCH ? `${key}: expected 1 to ${MAX_BATCH} items, got ${list.length}`
    : extra.length ? extra.map((k) => `${k}: unknown field`).join('; ')
    : null;
  if (problem !== null) return { ok: false, error: { code: 'InvalidMessage', message: `${event}: ${problem}`, retryable: false } };
  return { ok: true, items: (list as unknown[]).map((x, i) => parseWith(item as z.ZodType, x, `${event}: ${key}[${i}]`) as ParseResult<BatchItem<E>>) };
}

/** The first item error of a parsed batch, for its ack. */
export function firstItemError(items: readonly ParseResult<unknown>[]): SerializedError | undefined {
  for (const r of items) if (!r.ok) return r.error;
  return undefined;
}
