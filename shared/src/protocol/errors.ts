import { z } from 'zod';

/** An error as it travels on the wire: data, checked by `code`, never by class. */
export const SerializedErrorSchema = z.object({
  /** Stable machine-readable name, e.g. `CommandNotFound`, `InvalidMessage`. */
  code: z.string().min(1).max(100),
  /** What happened, for a person. */
  message: z.string().max(4000),
  /** Whether trying again (elsewhere, later) could succeed. */
  retryable: z.boolean(),
});
export type SerializedError = z.infer<typeof SerializedErrorSchema>;

/** Normalises anything thrown into a SerializedError, once, at the boundary that catches it. */
export function coerceError(e: unknown, code = 'InternalError', retryable = false): SerializedError {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown; retryable?: unknown };
    return {
      code: typeof o.code === 'string' && o.code ? o.code : code,
      message: typeof o.message === 'string' ? o.message : String(e),
      retryable: typeof o.retryable === 'boolean' ? o.retryable : retryable,
    };
  }
  return { code, message: String(e), retryable };
}
