import type { HttpMethod } from '@cronfleet/shared/api';

/** How a call is tried again after a 429, a 503 or (where safe) no answer. */
export interface RetryOptions {
  /** Tries after the first one; 0 tries once. Default 3. */
  retries: number;
  /** The backoff's first step in ms, doubling per try. Default 250. */
  baseDelayMs: number;
  /**
   * The longest wait in ms, for the backoff and for a server's `Retry-After` alike: a `Retry-After`
   * longer than this is not waited for, the call fails with it in `retryAfterMs`. Default 10,000.
   */
  maxDelayMs: number;
}

/** 3 retries, from 250 ms, at most 10 s apart. */
export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({ retries: 3, baseDelayMs: 250, maxDelayMs: 10_000 });

/**
 * The wait in ms before try number `attempt + 1` (attempt 0 is the first retry): exponential backoff
 * with full jitter, a random share of `min(maxDelayMs, baseDelayMs * 2^attempt)`, so clients that
 * failed together do not come back together. `rand` is Math.random unless a test gives its own.
 */
export function backoffDelayMs(policy: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, attempt: number, rand: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(rand() * ceiling);
}

/**
 * A `Retry-After` header in ms from `nowMs`: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, a past date giving 0); null when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * Whether a request that got no answer (a dropped connection, a timeout) may be sent again.
 * GET and HEAD change nothing. Any other method may have been applied before the answer was lost:
 * a POST /tasks sent twice would make two tasks. It is safe only when a second one is recognised as
 * the same: a body with an `idempotencyKey` (a task), a batch whose every task has one, or a caller
 * that says so with `idempotent: true`. A 429 or 503 answer is different: the server did not do the
 * request, so it is tried again whatever the method.
 */
export function mayResendWithoutAnswer(method: HttpMethod | 'HEAD', body: unknown, idempotent?: boolean): boolean {
  if (idempotent !== undefined) return idempotent;
  if (method === 'GET' || method === 'HEAD') return true;
  return hasIdempotencyKey(body) || (isObject(body) && Array.isArray(body.tasks) && body.tasks.length > 0 && body.tasks.every(hasIdempotencyKey));
}

function hasIdempotencyKey(v: unknown): boolean {
  return isObject(v) && typeof v.idempotencyKey === 'string' && v.idempotencyKey.trim().length > 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
