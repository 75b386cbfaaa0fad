import { Injectable, Logger } from '@nestjs/common';
import { coerceError, type TaskStatus } from '@cronfleet/shared';

/** Called once when a task has ended for good: success, or a failure its retry policy does not retry. */
export type TaskEndListener = (taskId: number, status: TaskStatus) => void;

/**
 * Where features that follow a task's end (job chains, workflow runs) register, so TasksService calls
 * one place and does not depend on them. Listeners must not block: they queue their own work.
 */
@Injectable()
export class TaskEnds {
  private readonly logger = new Logger('tasks');
  private readonly listeners: TaskEndListener[] = [];

  listen(listener: TaskEndListener): void {
    this.listeners.push(listener);
  }

  ended(taskId: number, status: TaskStatus): void {
    for (const l of this.listeners) {
      try {
        l(taskId, status);
      } catch (e) {
        this.logger.warn(`task ${taskId}: an end listener failed: ${coerceError(e).message}`);
      }
    }
  }
}
