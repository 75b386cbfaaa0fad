import { z } from 'zod';

/** Plain decimal digits, without a sign, spaces or leading zeros (`0` itself is one digit). */
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/**
 * A number given in a path or query string, read only when written as plain decimal digits: `0x1f`,
 * `1e3`, ` 5`, `+5`, `05` and the empty string are refused with a message saying so, where
 * `z.coerce.number()` would have read them as 31, 1000, 5, 5, 5 and 0: one number has one spelling,
 * so `/tasks/01` is not `/tasks/1` in logs, caches and the audit log. Numbers (socket payloads) pass
 * as they are.
 */
export function fromDecimal<T extends z.ZodType>(schema: T) {
  return z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    if (DECIMAL.test(v)) return Number(v);
    ctx.addIssue({ code: 'custom', message: `must be a number in plain decimal digits (no sign, spaces or leading zeros), not '${v.slice(0, 40)}'` });
    return z.NEVER;
  }, schema);
}
