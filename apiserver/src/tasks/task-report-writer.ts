import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { TaskUpdate } from '@cronfleet/shared';
import { DataSource } from 'typeorm';
import { dbTime } from '../database/columns';

/**
 * Reports are collected this long before they are written together: long enough that a busy server
 * writes tens of tasks per statement (and folds most `running` reports into their `success`),
 * short enough that a worker's ack is not held up in a way anyone sees.
 */
const FLUSH_MS = 20;
/**
 * A `running` report is written within this: the `task.started` live event goes out as it arrives,
 * and a page reloading on it must find the row running (a step of a minutes-long task showed
 * `pending` until it ended when `running` waited 20 ms).
 */
const RUNNING_FLUSH_MS = 5;
/** A flush writes at most this many tasks per statement. */
const BATCH_MAX = 500;

type Final = Omit<TaskUpdate, 'status'> & { status: 'success' };
interface Pending<T> {
  workerId: number;
  value: T;
  done: Array<() => void>;
  failed: Array<(e: unknown) => void>;
}

/**
 * Write-behind for the reports of successful tasks: `running` and `success` are collected for a few
 * milliseconds and written with one statement per flush (and kind), instead of one per message;
 * each row still only changes if the worker reporting it is the task's (`worker_id = CASE id …`).
 * Flushes run one after another, so the two reports of one task never update its row at the same
 * time (written concurrently, they deadlocked in InnoDB under load), and a success that arrives
 * while the task's `running` still waits replaces it, keeping its start time. Each promise resolves
 * once the report is stored, so the worker's ack still means "recorded".
 */
@Injectable()
export class TaskReportWriter implements OnApplicationShutdown {
  private running = new Map<number, Pending<number>>();
  private finals = new Map<number, Pending<Final & { startedAtMs: number | null }>>();
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Infinity;
  private chain: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Records that a task started, at `atMs`. */
  started(workerId: number, taskId: number, atMs: number): Promise<void> {
    return this.enqueue(this.running, taskId, workerId, atMs, RUNNING_FLUSH_MS);
  }

  /** Records a task's success; a buffered `running` of the same task is folded into it. */
  success(workerId: number, msg: Final): Promise<void> {
    const started = this.running.get(msg.taskId);
    this.running.delete(msg.taskId);
    const p = this.enqueue(this.finals, msg.taskId, workerId, { ...msg, startedAtMs: started?.value ?? null }, FLUSH_MS);
    if (started) {
      const entry = this.finals.get(msg.taskId)!;
      entry.done.push(...started.done);
      entry.failed.push(...started.failed);
    }
    return p;
  }

  /** Writes everything buffered now; other writers call it first to keep a task's reports in order. */
  flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = Infinity;
    const running = this.running;
    const finals = this.finals;
    this.running = new Map();
    this.finals = new Map();
    this.chain = this.chain.then(() => this.write(running, finals));
    return this.chain;
  }

  private enqueue<T>(into: Map<number, Pending<T>>, taskId: number, workerId: number, value: T, withinMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const prev = into.get(taskId);
      into.set(taskId, { workerId, value, done: [...(prev?.done ?? []), resolve], failed: [...(prev?.failed ?? []), reject] });
      const atMs = Date.now() + withinMs;
      if (atMs >= this.timerAtMs) return;
      if (this.timer) clearTimeout(this.timer);
      this.timerAtMs = atMs;
      this.timer = setTimeout(() => void this.flushNow().catch(() => undefined), withinMs);
    });
  }

  private async write(running: Map<number, Pending<number>>, finals: Map<number, Pending<Final & { startedAtMs: number | null }>>): Promise<void> {
    await this.settle(running, (part) => {
      const started: unknown[] = [];
      const owner: unknown[] = [];
      for (const [id, p] of part) {
        started.push(id, dbTime(this.ds, new Date(p.value)));
        owner.push(id, p.workerId);
      }
      const when = part.map(() => 'WHEN ? THEN ?').join(' ');
      return [
        `UPDATE tasks SET status = 'running', started_at = CASE id ${when} END WHERE id IN (${part.map(() => '?').join(',')}) AND status = 'pending' AND worker_id = CASE id ${when} END`,
        [...started, ...part.map(([id]) => id), ...owner],
      ];
    });
    await this.settle(finals, (part) => {
      const started: unknown[] = [];
      const finished: unknown[] = [];
      const exit: unknown[] = [];
      const owner: unknown[] = [];
      for (const [id, p] of part) {
        const startedAt = p.value.startedAtMs ?? p.value.atMs;
        started.push(id, dbTime(this.ds, new Date(startedAt)));
        finished.push(id, dbTime(this.ds, new Date(p.value.atMs)));
        exit.push(id, p.value.exitCode ?? null);
        owner.push(id, p.workerId);
      }
      const when = part.map(() => 'WHEN ? THEN ?').join(' ');
      return [
        `UPDATE tasks SET status = 'success', started_at = COALESCE(started_at, CASE id ${when} END), finished_at = CASE id ${when} END, exit_code = CASE id ${when} END ` +
          // 'lost': the result of a task declared lost while its worker was unreachable, arriving late.
          `WHERE id IN (${part.map(() => '?').join(',')}) AND status IN ('pending', 'running', 'lost') AND worker_id = CASE id ${when} END`,
        [...started, ...finished, ...exit, ...part.map(([id]) => id), ...owner],
      ];
    });
  }

  /** Runs one statement per batch, then resolves (or rejects) the reports it covered. */
  private async settle<T>(reports: Map<number, Pending<T>>, sql: (part: [number, Pending<T>][]) => [string, unknown[]]): Promise<void> {
    const list = [...reports];
    for (let i = 0; i < list.length; i += BATCH_MAX) {
      const part = list.slice(i, i + BATCH_MAX);
      try {
        await this.ds.query(...sql(part));
        for (const [, p] of part) p.done.forEach((f) => f());
      } catch (e) {
        for (const [, p] of part) p.failed.forEach((f) => f(e));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushNow().catch(() => undefined);
  }
}
