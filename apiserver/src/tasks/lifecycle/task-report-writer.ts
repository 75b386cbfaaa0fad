import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { TaskStatus, TaskUpdate } from '@cronfleet/shared';
import { DataSource } from 'typeorm';
import { dbTime, rawTimeMs } from '../../database/columns';
import type { TaskRef } from './task-events';
import { judgeReport, type ReportedStatus, type ReportedTask, type ReportVerdict } from './task-transitions';

/**
 * Reports are collected this long before they are written together: long enough that a busy server
 * writes tens of tasks per statement (and folds most `running` reports into their `success`),
 * short enough that a worker's ack is not held up in a way anyone sees.
 */
const FLUSH_MS = 20;
/**
 * A `running` report is written within this: the `task.started` live event goes out once it is
 * stored, and a page reloading on it must find the row running.
 */
const RUNNING_FLUSH_MS = 5;
/** A flush writes at most this many tasks per statement. */
const BATCH_MAX = 500;

type Final = Omit<TaskUpdate, 'status'> & { status: 'success' };

/** How a report fared: its verdict (applied only once written), the task it names, and a `running` folded into a success. */
export interface ReportOutcome {
  verdict: ReportVerdict;
  task: TaskRef | null;
  /** A success written with the start of its `running` report, which had not been written yet. */
  foldedStartMs: number | null;
  /** When it started, as stored before this report (null: not yet). */
  startedAtMs: number | null;
}

interface Pending<T> {
  workerId: number;
  value: T;
  done: Array<(o: ReportOutcome) => void>;
  failed: Array<(e: unknown) => void>;
}

interface Row extends ReportedTask, TaskRef {
  startedAtMs: number | null;
}

/**
 * Write-behind for the hot reports, `running` and `success`: collected for a few milliseconds and
 * written with one statement per flush (and kind) instead of one per message. Each report is first
 * judged against its row (read for the whole flush in one SELECT): only the worker the task was
 * given to may report on it, from a state the report can follow; a duplicate is acknowledged
 * without a write and a refusal says why. The UPDATE itself is still conditional (`status IN …
 * AND worker_id = CASE id …`), so a change that raced in between wins, and is found by reading the
 * rows the UPDATE did not change. Flushes run one after another, so the two reports of one task
 * never update its row at the same time (written concurrently they deadlocked in InnoDB), and a
 * success arriving while its task's `running` still waits replaces it, keeping its start time.
 * Each promise resolves once the report is stored (or judged), so the worker's ack means "recorded".
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
  started(workerId: number, taskId: number, atMs: number): Promise<ReportOutcome> {
    return this.enqueue('running', taskId, workerId, atMs, RUNNING_FLUSH_MS);
  }

  /** Records a task's success; a buffered `running` of the same task (and worker) is folded into it. */
  success(workerId: number, msg: Final): Promise<ReportOutcome> {
    const started = this.running.get(msg.taskId);
    const fold = started?.workerId === workerId ? started : undefined;
    if (fold) this.running.delete(msg.taskId);
    const p = this.enqueue('finals', msg.taskId, workerId, { ...msg, startedAtMs: fold?.value ?? null }, FLUSH_MS);
    if (fold) {
      // The folded `running` is acknowledged as recorded with the success: its start is written there.
      const entry = this.finals.get(msg.taskId)!;
      entry.done.push(...fold.done.map((f) => (o: ReportOutcome) => f({ ...o, verdict: o.verdict.kind === 'apply' ? { kind: 'duplicate' } : o.verdict, foldedStartMs: null })));
      entry.failed.push(...fold.failed);
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

  private enqueue(kind: 'running' | 'finals', taskId: number, workerId: number, value: unknown, withinMs: number): Promise<ReportOutcome> {
    return new Promise((resolve, reject) => {
      // Read at each call: a flush replaces the maps.
      const into = (kind === 'running' ? this.running : this.finals) as Map<number, Pending<unknown>>;
      const prev = into.get(taskId);
      if (prev && prev.workerId !== workerId) {
        // Two workers report on one task in one flush: at most one of them is its worker. The later
        // report is judged in a flush of its own.
        void this.flushNow().then(() => this.enqueue(kind, taskId, workerId, value, withinMs).then(resolve, reject), reject);
        return;
      }
      into.set(taskId, { workerId, value, done: [...(prev?.done ?? []), resolve], failed: [...(prev?.failed ?? []), reject] });
      const atMs = Date.now() + withinMs;
      if (atMs >= this.timerAtMs) return;
      if (this.timer) clearTimeout(this.timer);
      this.timerAtMs = atMs;
      this.timer = setTimeout(() => void this.flushNow().catch(() => undefined), withinMs);
    });
  }

  private async write(running: Map<number, Pending<number>>, finals: Map<number, Pending<Final & { startedAtMs: number | null }>>): Promise<void> {
    await this.settle(running, 'running', 'running', (part) => {
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
    await this.settle(finals, 'success', 'success', (part) => {
      const started: unknown[] = [];
      const finished: unknown[] = [];
      const exit: unknown[] = [];
      const http: unknown[] = [];
      const owner: unknown[] = [];
      for (const [id, p] of part) {
        const startedAt = p.value.startedAtMs ?? p.value.atMs;
        started.push(id, dbTime(this.ds, new Date(startedAt)));
        finished.push(id, dbTime(this.ds, new Date(p.value.atMs)));
        exit.push(id, p.value.exitCode ?? null);
        http.push(id, p.value.httpStatus ?? null);
        owner.push(id, p.workerId);
      }
      const when = part.map(() => 'WHEN ? THEN ?').join(' ');
      // Only http tasks report a status: a batch without one writes none (the column keeps its NULL).
      const httpSet = part.some(([, p]) => typeof p.value.httpStatus === 'number') ? `, http_status = CASE id ${when} END` : '';
      return [
        // 'lost': the result of a task declared lost while its worker was unreachable, arriving late.
        `UPDATE tasks SET status = 'success', started_at = COALESCE(started_at, CASE id ${when} END), finished_at = CASE id ${when} END, exit_code = CASE id ${when} END${httpSet}, error = NULL ` +
          `WHERE id IN (${part.map(() => '?').join(',')}) AND status IN ('pending', 'running', 'lost') AND worker_id = CASE id ${when} END`,
        [...started, ...finished, ...exit, ...(httpSet ? http : []), ...part.map(([id]) => id), ...owner],
      ];
    }, (p) => p.value.startedAtMs);
  }

  /**
   * Judges and writes one kind of report, BATCH_MAX tasks per statement, then resolves (or rejects)
   * each: applied only where the UPDATE changed its row.
   */
  private async settle<T>(
    reports: Map<number, Pending<T>>,
    reported: ReportedStatus,
    to: TaskStatus,
    sql: (part: [number, Pending<T>][]) => [string, unknown[]],
    foldedStart: (p: Pending<T>) => number | null = () => null,
  ): Promise<void> {
    const list = [...reports];
    for (let i = 0; i < list.length; i += BATCH_MAX) {
      const part = list.slice(i, i + BATCH_MAX);
      try {
        const before = await this.rows(part.map(([id]) => id));
        const eligible: [number, Pending<T>][] = [];
        const verdicts = new Map<number, ReportVerdict>();
        for (const [id, p] of part) {
          const verdict = judgeReport(id, before.get(id) ?? null, p.workerId, reported);
          verdicts.set(id, verdict);
          if (verdict.kind === 'apply') eligible.push([id, p]);
        }
        if (eligible.length > 0) {
          const affected = await this.update(...sql(eligible));
          if (affected < eligible.length) {
            // Something else changed some of these rows in between (a watchdog, a kill): what the
            // UPDATE did not change is judged again against the row as it is now.
            const after = await this.rows(eligible.map(([id]) => id));
            for (const [id, p] of eligible) {
              const row = after.get(id) ?? null;
              const ours = row !== null && row.status === to && row.workerId === p.workerId && before.get(id)?.status !== to;
              if (ours) continue;
              // Not written: judged again against the row as it is now. One that could still be
              // applied (a task declared lost meanwhile takes its result as a late one) is refused as
              // retryable, so its worker sends it again and the next flush writes it.
              const again = judgeReport(id, row, p.workerId, reported);
              verdicts.set(
                id,
                again.kind === 'apply' ? { kind: 'refuse', error: { code: 'NotRecorded', message: `task ${id} changed while its report was written; send it again`, retryable: true } } : again,
              );
            }
          }
        }
        for (const [id, p] of part) {
          const verdict = verdicts.get(id)!;
          const row = before.get(id) ?? null;
          const task = row && { id: row.id, cronjobId: row.cronjobId, namespace: row.namespace, workflowRunId: row.workflowRunId, runner: row.runner };
          const outcome: ReportOutcome = { verdict, task, foldedStartMs: verdict.kind === 'apply' ? foldedStart(p) : null, startedAtMs: row?.startedAtMs ?? null };
          p.done.forEach((f) => f(outcome));
        }
      } catch (e) {
        for (const [, p] of part) p.failed.forEach((f) => f(e));
      }
    }
  }

  private async rows(ids: number[]): Promise<Map<number, Row>> {
    const raw = (await this.ds.query(
      `SELECT id, status, worker_id, cronjob_id, namespace, workflow_run_id, runner, started_at FROM tasks WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    )) as {
      id: number | string;
      status: TaskStatus;
      worker_id: number | string | null;
      cronjob_id: number | string | null;
      namespace: string;
      workflow_run_id: number | string | null;
      runner: string;
      started_at: Date | string | null;
    }[];
    const num = (v: number | string | null) => (v === null ? null : Number(v));
    return new Map(
      raw.map((r) => [
        Number(r.id),
        {
          id: Number(r.id),
          status: r.status,
          workerId: num(r.worker_id),
          cronjobId: num(r.cronjob_id),
          namespace: r.namespace,
          workflowRunId: num(r.workflow_run_id),
          runner: r.runner,
          startedAtMs: r.started_at === null ? null : rawTimeMs(r.started_at),
        },
      ]),
    );
  }

  /** Runs an UPDATE and returns how many rows it changed (both drivers report it in a structured result). */
  private async update(query: string, params: unknown[]): Promise<number> {
    const runner = this.ds.createQueryRunner();
    try {
      const r = await runner.query(query, params, true);
      return r.affected ?? 0;
    } finally {
      await runner.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushNow().catch(() => undefined);
  }
}
