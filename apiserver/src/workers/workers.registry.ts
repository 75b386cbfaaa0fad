import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { SerializedError, ServerToWorkerEvents, TaskKillAck, TaskOutput, TaskRun, TaskRunAck, TaskUpdate, WorkerToServerEvents } from '@cronfleet/shared';
import { TaskKillAckSchema, TaskRunAckSchema } from '@cronfleet/shared';
import type { Socket } from 'socket.io';
import type { WorkerSnapshot } from '../dispatcher/core/worker-choice';

export type WorkerSocket = Socket<WorkerToServerEvents, ServerToWorkerEvents>;

/** What the tasks module does with reports arriving from workers (set once at start-up). */
export interface TaskReportHandler {
  /** Records a status change; resolves true once it is stored (or was already final). */
  update(workerId: number, msg: TaskUpdate): Promise<boolean>;
  output(workerId: number, msg: TaskOutput): Promise<void>;
  /** The worker reconnected (or is gone for good): its tasks not in `stillRunning` are lost. */
  reconcile(workerId: number, stillRunning: readonly number[]): Promise<void>;
}

interface Connected {
  socket: WorkerSocket;
  snapshot: WorkerSnapshot;
  /** Tasks sent to this worker and not yet final: its load as the dispatcher counts it. */
  tasks: Set<number>;
}

const ACK_TIMEOUT_MS = 10_000;

/**
 * The workers connected to this instance, their load, and the one way to send them messages.
 * Emits `capacity` whenever a worker may have room for a task (connected, or a task ended).
 */
@Injectable()
export class WorkersRegistry extends EventEmitter<{ capacity: [] }> {
  private readonly logger = new Logger('workers');
  private readonly connected = new Map<number, Connected>();
  private reports: TaskReportHandler | null = null;

  setReportHandler(h: TaskReportHandler): void {
    this.reports = h;
  }
  get reportHandler(): TaskReportHandler {
    if (!this.reports) throw new Error('task report handler not set');
    return this.reports;
  }

  isConnected(workerId: number): boolean {
    return this.connected.has(workerId);
  }
  socketOf(workerId: number): WorkerSocket | undefined {
    return this.connected.get(workerId)?.socket;
  }

  add(workerId: number, socket: WorkerSocket, snapshot: Omit<WorkerSnapshot, 'running'>, running: readonly number[]): void {
    this.connected.set(workerId, { socket, snapshot: { ...snapshot, running: running.length }, tasks: new Set(running) });
    this.emit('capacity');
  }

  remove(workerId: number, socket: WorkerSocket): boolean {
    const c = this.connected.get(workerId);
    if (!c || c.socket !== socket) return false;
    this.connected.delete(workerId);
    return true;
  }

  snapshots(): WorkerSnapshot[] {
    return [...this.connected.values()].map((c) => ({ ...c.snapshot, running: c.tasks.size }));
  }

  /** Counts a task against a worker's capacity before it is sent, so a burst cannot overfill it. */
  reserve(workerId: number, taskId: number): void {
    this.connected.get(workerId)?.tasks.add(taskId);
  }

  release(workerId: number, taskId: number): void {
    const c = this.connected.get(workerId);
    if (c?.tasks.delete(taskId)) this.emit('capacity');
  }

  async sendRun(workerId: number, msg: TaskRun): Promise<TaskRunAck> {
    const socket = this.socketOf(workerId);
    if (!socket) return refused('WorkerUnavailable', `worker ${workerId} is not connected`);
    try {
      const res: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('task:run', msg);
      const parsed = TaskRunAckSchema.safeParse(res);
      return parsed.success ? parsed.data : refused('InvalidMessage', 'worker sent a malformed task:run ack');
    } catch {
      return refused('AckTimeout', `worker ${workerId} did not acknowledge task ${msg.taskId} within ${ACK_TIMEOUT_MS} ms`);
    }
  }

  async sendKill(workerId: number, taskId: number, reason: string): Promise<TaskKillAck | null> {
    const socket = this.socketOf(workerId);
    if (!socket) return null;
    try {
      const res: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('task:kill', { taskId, reason });
      const parsed = TaskKillAckSchema.safeParse(res);
      return parsed.success ? parsed.data : null;
    } catch {
      this.logger.warn(`worker ${workerId} did not confirm the kill of task ${taskId}`);
      return null;
    }
  }
}

function refused(code: string, message: string): TaskRunAck {
  const error: SerializedError = { code, message, retryable: true };
  return { accepted: false, error };
}
