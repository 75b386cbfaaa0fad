import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { TaskUpdate } from '@cronfleet/shared';
import { DataSource } from 'typeorm';
import { dbTime } from '../database/columns';

/** Reports are collected this long before they are written together. */
const FLUSH_MS = 5;
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
 * milliseconds and written with one statement per worker per flush, instead of one per message.
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
  private chain: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Records that a task started, at `atMs`. */
  started(workerId: number, taskId: number, atMs: number): Promise<void> {
    return this.enqueue(this.running, taskId, workerId, atMs);
  }

  /** Records a task's success; a buffered `running` of the same task is folded into it. */
  success(workerId: number, msg: Final): Promise<void> {
    const started = this.running.get(msg.taskId);
    this.running.delete(msg.taskId);
    const p = this.enqueue(this.finals, msg.taskId, workerId, { ...msg, startedAtMs: started?.value ?? null });
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
    const running = this.running;
    const finals = this.finals;
    this.running = new Map();
    this.finals = new Map();
    this.chain = this.chain.then(() => this.write(running, finals));
    return this.chain;
  }

  private enqueue<T>(into: Map<number, Pending<T>>, taskId: number, workerId: number, value: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const prev = into.get(taskId);
      into.set(taskId, { workerId, value, done: [...(prev?.done ?? []), resolve], failed: [...(prev?.failed ?? []), reject] });
      this.timer ??= setTimeout(() => void this.flushNow().catch(() => undefined), FLUSH_MS);
    });
  }

  private async write(running: Map<number, Pending<number>>, finals: Map<number, Pending<Final & { startedAtMs: number | null }>>): Promise<void> {
    await this.settle(running, (workerId, part) => {
      const params: unknown[] = [];
      const cases = part.map(([id, p]) => (params.push(id, dbTime(this.ds, new Date(p.value))), 'WHEN ? THEN ?')).join(' ');
      return [
        `UPDATE tasks SET status = 'running', started_at = CASE id ${cases} END WHERE id IN (${part.map(() => '?').join(',')}) AND status = 'pending' AND worker_id = ?`,
        [...params, ...part.map(([id]) => id), workerId],
      ];
    });
    await this.settle(finals, (workerId, part) => {
      const started: unknown[] = [];
      const finished: unknown[] = [];
      const exit: unknown[] = [];
      for (const [id, p] of part) {
        const startedAt = p.value.startedAtMs ?? p.value.atMs;
        started.push(id, dbTime(this.ds, new Date(startedAt)));
        finished.push(id, dbTime(this.ds, new Date(p.value.atMs)));
        exit.push(id, p.value.exitCode ?? null);
      }
      const when = part.map(() => 'WHEN ? THEN ?').join(' ');
      return [
        `UPDATE tasks SET status = 'success', started_at = COALESCE(started_at, CASE id ${when} END), finished_at = CASE id ${when} END, exit_code = CASE id ${when} END ` +
          // 'lost': the result of a task declared lost while its worker was unreachable, arriving late.
          `WHERE id IN (${part.map(() => '?').join(',')}) AND status IN ('pending', 'running', 'lost') AND worker_id = ?`,
        [...started, ...finished, ...exit, ...part.map(([id]) => id), workerId],
      ];
    });
  }

  /** Runs one statement per worker and batch, then resolves (or rejects) the reports it covered. */
  private async settle<T>(reports: Map<number, Pending<T>>, sql: (workerId: number, part: [number, Pending<T>][]) => [string, unknown[]]): Promise<void> {
    const byWorker = new Map<number, [number, Pending<T>][]>();
    for (const e of reports) {
      const list = byWorker.get(e[1].workerId);
      if (list) list.push(e);
      else byWorker.set(e[1].workerId, [e]);
    }
    for (const [workerId, list] of byWorker) {
      for (let i = 0; i < list.length; i += BATCH_MAX) {
        const part = list.slice(i, i + BATCH_MAX);
        try {
          await this.ds.query(...sql(workerId, part));
          for (const [, p] of part) p.done.forEach((f) => f());
        } catch (e) {
          for (const [, p] of part) p.failed.forEach((f) => f(e));
        }
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushNow().catch(() => undefined);
  }
}
