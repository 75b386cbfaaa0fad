import { createHmac } from 'node:crypto';

/** Attempts per delivery, the first included. */
export const MAX_DELIVERY_ATTEMPTS = 5;
/** Delay before the first retry; doubled for each later one (1 s, 2 s, 4 s, 8 s). */
export const FIRST_RETRY_DELAY_MS = 1000;
/** Each attempt is abandoned (and counts as a network error) after this long. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** How an attempt ended: `ok`, worth another try (`retry`) or not (`fail`). */
export type AttemptOutcome = 'ok' | 'retry' | 'fail';

/** A webhook's HTTP answer: 2xx ok; 5xx and 429 (the receiver is busy or down) retried; other codes are final. */
export function classifyHttpStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500 || status === 429) return 'retry';
  return 'fail';
}

/** An SMTP error: a 4xx reply is transient by RFC 5321, a 5xx permanent; no reply at all (network) is retried. */
export function classifySmtpError(responseCode: number | undefined): AttemptOutcome {
  if (responseCode === undefined) return 'retry';
  return responseCode >= 400 && responseCode < 500 ? 'retry' : 'fail';
}

/** Milliseconds to wait before the next attempt after `attemptsMade` failed ones; null: give up. */
export function nextAttemptDelayMs(attemptsMade: number): number | null {
  if (attemptsMade < 1 || attemptsMade >= MAX_DELIVERY_ATTEMPTS) return null;
  return FIRST_RETRY_DELAY_MS * 2 ** (attemptsMade - 1);
}

/** `X-Cronfleet-Signature`: `sha256=` and the hex HMAC-SHA256 of the exact body bytes sent. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
