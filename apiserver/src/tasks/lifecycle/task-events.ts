import { Injectable, Logger } from '@nestjs/common';
import { coerceError, type TaskStatus } from '@cronfleet/shared';
import type { TaskEntity } from '../task.entity';

/** Whose a task is and what it ran, as the effects of its changes need it (live feed scoping, chains, runs, metrics). */
export type TaskRef = Pick<TaskEntity, 'id' | 'cronjobId' | 'namespace' | 'workflowRunId' | 'runner'>;

/** A task was written: `pending` (it waits for its time and a worker) or `skipped` (a due time not run). */
export interface TaskCreated {
  type: 'created';
  task: TaskEntity;
}

/** Its worker reported it running (written). */
export interface TaskStarted {
  type: 'started';
  task: TaskRef;
  workerId: number;
  atMs: number;
}

/** It reached a final state (written). */
export interface TaskEnded {
  type: 'ended';
  task: TaskRef;
  status: TaskStatus;
  /** The state it left. */
  from: TaskStatus;
  /** The worker it was given to; null when it never reached one. */
  workerId: number | null;
  /** Its worker reported this end (else the server decided it: lost, watchdog, cancel, kill before start). */
  reported: boolean;
  atMs: number;
  /** From its start on the worker to its end; null when it never started. */
  durationMs: number | null;
  exitCode: number | null;
  errorCode: string | null;
  /**
   * A result its worker kept and delivered after the server had declared the task lost: the record is
   * corrected, but the run moved on at `lost` (retried or ended), so nothing follows it again.
   */
  late: boolean;
  /** No attempt follows: the task's run has ended for good with this status. */
  final: boolean;
  /** The retry that follows, this long from now; null when final. */
  retryDelayMs: number | null;
  /** The row as it was before the change, when the lifecycle read it (ends by the server, failures). */
  row: TaskEntity | null;
}

export type TaskEvent = TaskCreated | TaskStarted | TaskEnded;
export type TaskEventListener = (e: TaskEvent) => void;

/**
 * Typed task events, published by TaskLifecycle after a transition has committed, on the instance
 * that committed it (so each is published once in the cluster). Listeners must not block or throw:
 * they queue their own work. This is the only way effects learn of a task's changes.
 */
@Injectable()
export class TaskEvents {
  private readonly logger = new Logger('tasks');
  private readonly listeners: TaskEventListener[] = [];

  /** Returns the unsubscribe function. */
  subscribe(listener: TaskEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  publish(e: TaskEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.warn(`task ${e.task.id}: a ${e.type} listener failed: ${coerceError(err).message}`);
      }
    }
  }
}
