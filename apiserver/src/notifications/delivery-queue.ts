import { coerceError } from '@cronfleet/shared';
import { AttemptOutcome, nextAttemptDelayMs } from './core/delivery-policy';

/** One notification to deliver: `attempt` is called once per try, with a signal aborted at shutdown. */
export interface Delivery {
  /** For logs: what and where, never a secret (no header values, no URL path or query). */
  what: string;
  attempt(signal: AbortSignal): Promise<{ outcome: AttemptOutcome; detail: string }>;
}

export interface DeliveryQueueOptions {
  /** Deliveries queued, waiting to retry or in flight; past this new ones are dropped (and logged). Default 1000. */
  maxPending?: number;
  /** Attempts in flight at once. Default 8. */
  concurrency?: number;
}

interface Entry {
  d: Delivery;
  attemptsMade: number;
}

/**
 * Fire-and-forget delivery with retries, in memory: `push` never waits and never throws, so
 * recording a task never depends on a receiver. Bounded, so a receiver that is down cannot make the
 * server hold an unbounded backlog; what is pending at shutdown is dropped (timers cleared, requests
 * aborted), as is what failed every attempt: both are logged.
 */
export class DeliveryQueue {
  private readonly ready: Entry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private pending = 0;
  private active = 0;
  private readonly maxPending: number;
  private readonly concurrency: number;

  constructor(
    private readonly log: { warn(msg: string): void },
    opts: DeliveryQueueOptions = {},
  ) {
    this.maxPending = opts.maxPending ?? 1000;
    this.concurrency = opts.concurrency ?? 8;
  }

  /** Queues a delivery; false (logged) when the queue is full or closed. */
  push(d: Delivery): boolean {
    if (this.abort.signal.aborted) return false;
    if (this.pending >= this.maxPending) {
      this.log.warn(`${d.what}: dropped, ${this.pending} notifications already pending`);
      return false;
    }
    this.pending++;
    this.ready.push({ d, attemptsMade: 0 });
    this.pump();
    return true;
  }

  /** Drops everything pending and aborts attempts in flight. */
  close(): void {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.pending > 0) this.log.warn(`${this.pending} notifications not delivered: the server is stopping`);
    this.ready.length = 0;
  }

  private pump(): void {
    while (this.active < this.concurrency && this.ready.length > 0) {
      const e = this.ready.shift()!;
      this.active++;
      void this.run(e).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async run(e: Entry): Promise<void> {
    let r: { outcome: AttemptOutcome; detail: string };
    try {
      r = await e.d.attempt(this.abort.signal);
    } catch (err) {
      r = { outcome: 'retry', detail: coerceError(err).message };
    }
    if (this.abort.signal.aborted) return;
    e.attemptsMade++;
    if (r.outcome === 'ok') return void this.pending--;
    const delay = r.outcome === 'retry' ? nextAttemptDelayMs(e.attemptsMade) : null;
    if (delay === null) {
      this.pending--;
      this.log.warn(`${e.d.what}: not delivered after ${e.attemptsMade} attempt(s): ${r.detail}`);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.ready.push(e);
      this.pump();
    }, delay);
    this.timers.add(t);
  }
}
