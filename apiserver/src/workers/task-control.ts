import { Inject, Injectable } from '@nestjs/common';
import { FINAL_TASK_STATUSES } from '@cronfleet/shared';
import { DomainError, notFound } from '../common/errors';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import { TasksRepository } from '../tasks/tasks.repository';
import { WorkersRegistry } from './workers.registry';

/** What `POST /tasks/:id/stop|kill` answers once the worker confirmed. */
export interface ControlResult {
  taskId: number;
  action: 'stop' | 'kill';
  /** Null when the task had not reached a worker and was ended by the server. */
  workerId: number | null;
  confirmed: true;
}

/**
 * Stopping and killing tasks: one no worker has yet is ended here (through the lifecycle); a running
 * one is ended by its worker, which then reports it `killed` like any other end.
 */
@Injectable()
export class TaskControl {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly registry: WorkersRegistry,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /**
   * Kills a task (`POST /tasks/:id/kill`, concurrencyPolicy replace, a killed workflow run): SIGKILL
   * to its process group. Resolves once the worker confirmed; 409 if the task has ended, 504 if its
   * worker did not confirm in time (recorded on the task as `control.state: unconfirmed`).
   */
  kill(id: number, reason = 'killed through the API'): Promise<ControlResult> {
    return this.control(id, 'kill', reason, 0);
  }

  /** Stops a task gracefully (`POST /tasks/:id/stop`): SIGTERM, then SIGKILL after `graceSeconds`. */
  stop(id: number, graceSeconds = this.config.stopGraceSeconds, reason = 'stopped through the API'): Promise<ControlResult> {
    return this.control(id, 'stop', reason, graceSeconds);
  }

  private async control(id: number, action: 'stop' | 'kill', reason: string, graceSeconds: number): Promise<ControlResult> {
    const t = await this.tasks.findById(id);
    if (!t) throw notFound('Task', id);
    if (FINAL_TASK_STATUSES.includes(t.status)) throw new DomainError('TaskNotRunning', `task ${id} has already finished (${t.status})`);
    if (t.workerId === null) {
      const error = { code: action === 'kill' ? 'TaskKilled' : 'TaskStopped', message: `${reason} before it started`, retryable: false };
      if (await this.lifecycle.killUnstarted(t, error)) return { taskId: id, action, workerId: null, confirmed: true };
      return this.control(id, action, reason, graceSeconds); // it was given to a worker meanwhile: act there
    }
    const workerId = t.workerId;
    const timeoutMs = this.config.ackTimeoutSeconds * 1000;
    const requestedAt = new Date().toISOString();
    const ack =
      action === 'kill' ? await this.registry.sendKill(workerId, id, reason, timeoutMs) : await this.registry.sendStop(workerId, id, graceSeconds, reason, timeoutMs);
    if (ack === null) {
      await this.tasks.setControl(id, { action, requestedAt, state: 'unconfirmed', reason });
      const why = this.registry.isOnline(workerId) ? '' : ' (it is not connected to any server)';
      throw new DomainError('WorkerDidNotConfirm', `task ${id}: its worker ${workerId} did not confirm the ${action} within ${timeoutMs / 1000} s${why}; the request is recorded on the task (control.state unconfirmed)`);
    }
    if (!ack.found) {
      // The worker does not run it: it ended a moment ago and its result is on the way (a worker
      // that lost a task altogether reports so when it says hello, and the task is then lost).
      throw new DomainError('TaskNotRunning', `task ${id} is not running on worker ${workerId} any more: it has just ended`);
    }
    await this.tasks.setControl(id, { action, requestedAt, state: 'confirmed', reason });
    return { taskId: id, action, workerId, confirmed: true };
  }
}
