import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { coerceError } from '@cronfleet/shared';
import type { TaskEntity } from '../task.entity';
import { TaskEvents } from './task-events';
import { TaskLifecycle } from './task-lifecycle';

/** A retry that could not be written (the database is away) is tried again this often, this many times. */
const RETRY_WRITE_DELAY_MS = 1000;
const RETRY_WRITE_ATTEMPTS = 30;

/**
 * Retry policies: after an end that its policy retries (the `ended` event says so and when), the next
 * attempt is submitted, due after the delay. Made once per attempt whoever asks (`retry:<task>`
 * idempotency key, and a job's due key), so an end announced twice cannot retry twice.
 */
@Injectable()
export class TaskRetries implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('tasks');
  private unsubscribe: (() => void) | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly events: TaskEvents,
    private readonly lifecycle: TaskLifecycle,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((e) => {
      if (e.type === 'ended' && e.retryDelayMs !== null && e.row) void this.retry(e.row, e.status, e.retryDelayMs, 1);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async retry(row: TaskEntity, status: string, delayMs: number, attempt: number): Promise<void> {
    try {
      const next = await this.lifecycle.retryAfter(row, delayMs);
      if (next) this.logger.log(`task ${row.id} ${status}: retry ${row.attempt} of ${row.retry?.maxRetries} as task ${next.id} in ${Math.round(delayMs / 1000)} s`);
    } catch (e) {
      if (attempt >= RETRY_WRITE_ATTEMPTS) {
        this.logger.error(`task ${row.id}: its retry was not written after ${attempt} tries: ${coerceError(e).message}`);
        return;
      }
      this.logger.warn(`task ${row.id}: retry not written yet: ${coerceError(e).message}; trying again in ${RETRY_WRITE_DELAY_MS} ms`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.retry(row, status, Math.max(0, delayMs - RETRY_WRITE_DELAY_MS), attempt + 1);
      }, RETRY_WRITE_DELAY_MS);
      this.timers.add(t);
    }
  }
}
