import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LiveFeed } from '../../live/live-feed';
import { Metrics } from '../../observability/metrics';
import { TaskEvents, type TaskEvent } from './task-events';

/** Committed task changes, counted (Prometheus) and shown (the dashboard's live feed, SSE). */
@Injectable()
export class TaskAnnouncer implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly events: TaskEvents,
    private readonly metrics: Metrics,
    private readonly live: LiveFeed,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((e) => this.announce(e));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private announce(e: TaskEvent): void {
    switch (e.type) {
      case 'created':
        this.live.taskCreated(e.task);
        return;
      case 'started':
        this.live.task('task.started', e.task.id, { workerId: e.workerId, atMs: e.atMs }, e.task);
        return;
      case 'ended':
        // A late result corrects the record; its end was counted when the task was declared lost.
        if (!e.late) this.metrics.taskEnded(e.status, e.task.runner, e.durationMs);
        this.live.task('task.finished', e.task.id, { status: e.status, atMs: e.atMs, exitCode: e.exitCode, ...(e.errorCode ? { errorCode: e.errorCode } : {}), retryInMs: e.retryDelayMs }, e.task);
        return;
    }
  }
}
