import { z } from 'zod';

/**
 * A number given in a path or query string, read only when written as plain decimal digits: `0x1f`,
 * `1e3`, ` 5`, `+5` and the empty string stay strings and fail `schema` with its own message, where
 * `z.coerce.number()` would have read them as 31, 1000, 5, 5 and 0. Numbers (socket payloads) pass as they are.
 */
export function fromDecimal<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v), schema);
}
