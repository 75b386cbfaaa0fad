/** Failed authentications allowed per client address in one window, before it is answered 429. */
export const AUTH_FAILURE_LIMIT = 20;
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at most; past that the oldest window is forgotten (memory stays bounded under a spray of addresses). */
const MAX_TRACKED = 10_000;

interface Window {
  startMs: number;
  failures: number;
}

/**
 * Counts failed token checks per client address in memory (no database write per failure), in fixed
 * windows that start at an address's first failure. Once an address has `limit` failures in its
 * window, every attempt from it is refused until the window ends, before any token is checked:
 * guessing stops paying, and a flood of bad tokens costs no database reads. Successes are not
 * counted. Per server instance; with several behind a load balancer each keeps its own count.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit = AUTH_FAILURE_LIMIT,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
  ) {}

  /** Milliseconds until `address` may try again, or 0 when it may now. */
  blockedForMs(address: string, nowMs: number): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    const endMs = w.startMs + this.windowMs;
    if (nowMs >= endMs) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.limit ? endMs - nowMs : 0;
  }

  /** Records a failed attempt from `address`. */
  fail(address: string, nowMs: number): void {
    const w = this.windows.get(address);
    if (w && nowMs < w.startMs + this.windowMs) {
      w.failures++;
      return;
    }
    this.windows.delete(address);
    if (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(address, { startMs: nowMs, failures: 1 });
  }

  /** The refusal for an address blocked `ms` more: message and whole seconds for Retry-After. */
  static refusal(ms: number): { message: string; retryAfterSeconds: number } {
    const retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000));
    return {
      message: `too many failed authentication attempts from this address: try again in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    };
  }
}
