import type { z } from 'zod';
import type { SerializedError } from './errors';
import { EventSchemas } from './events';

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
