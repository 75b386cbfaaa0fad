/** How failed or timed-out attempts of a Task are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt: a whole number ≥ 0; 0 never retries. */
  maxRetries: number;
  /** `fixed`: every retry waits `delaySeconds`; `exponential`: retry n waits delaySeconds × 2^(n-1). */
  backoff: 'fixed' | 'exponential';
  /** Wait before the first retry, in seconds (≥ 0). */
  delaySeconds: number;
  /** Longest wait before any retry, in seconds (≥ 0), applied before jitter. */
  maxDelaySeconds: number;
  /**
   * Spread retries of Tasks that failed together ("equal jitter"): the wait is uniformly random in
   * [delay / 2, delay], so it never exceeds the capped delay and never drops below half of it.
   */
  jitter: boolean;
}

/** No retries; the other fields are the defaults a policy that asks for retries starts from. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 0,
  backoff: 'exponential',
  delaySeconds: 10,
  maxDelaySeconds: 3600,
  jitter: true,
};

/**
 * How long to wait before the next attempt, in whole milliseconds, or null when no retry is left.
 *
 * Attempts are numbered from 1: after attempt n failed, `attemptsMade` is n and the result is the
 * wait before retry n (attempt n + 1); null once `attemptsMade > policy.maxRetries`. Exponential:
 * delaySeconds × 2^(n-1), capped at maxDelaySeconds; then, with `jitter`, a uniform draw in
 * [capped / 2, capped] from `rand` (values in [0, 1), clamped). Throws RangeError for an
 * `attemptsMade` below 1 or not whole, or a policy with negative or non-finite numbers.
 */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, rand: () => number = Math.random): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`retryDelayMs: attemptsMade (${attemptsMade}) must be a whole number ≥ 1`);
  }
  const { maxRetries, delaySeconds, maxDelaySeconds } = policy;
  const valid = Number.isInteger(maxRetries) && maxRetries >= 0 && Number.isFinite(delaySeconds) &&
    delaySeconds >= 0 && Number.isFinite(maxDelaySeconds) && maxDelaySeconds >= 0;
  if (!valid) {
    throw new RangeError(`retryDelayMs: invalid policy ${JSON.stringify(policy)}: counts must be whole ≥ 0, seconds finite ≥ 0`);
  }
  if (attemptsMade > maxRetries) return null;
  // 2^52 already overflows any cap; a bounded exponent keeps 0 × 2^n at 0 instead of NaN.
  const factor = policy.backoff === 'exponential' ? 2 ** Math.min(attemptsMade - 1, 52) : 1;
  const capped = Math.min(delaySeconds * factor, maxDelaySeconds) * 1000;
  if (!policy.jitter) return Math.round(capped);
  const r = Math.min(Math.max(rand(), 0), 1);
  return Math.round(capped / 2 + (r * capped) / 2);
}
