import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';
import { coerceError, startTracing, TASK_ID_ATTRIBUTE, type TaskRunAck, type TaskTracer, type TaskUpdate } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';

/** A due-time row about to be written, as its `task.due` span needs it (it gets the span's traceparent). */
export interface DueRow {
  status?: string;
  cronjobId: number | null;
  cronjobName: string | null;
  scheduledAt: Date;
  trigger: string;
  attempt?: number;
  runner: string;
  traceParent?: string | null;
}

/** A task as its spans name it. */
export interface TracedTask {
  id: number;
  cronjobId: number | null;
  attempt: number;
  traceParent: string | null;
}

/** OpenTelemetry span status codes (@opentelemetry/api's SpanStatusCode, without loading the module). */
export const OK = 1;
export const ERROR = 2;

/** The span of the REST request being handled (tracing on, mutating requests; see audit/mutation-hooks.ts). */
export interface RequestSpan {
  span: Span;
  traceparent: string;
}
export const requestSpan = new AsyncLocalStorage<RequestSpan>();

/**
 * The server's spans of a task, one trace per task:
 *
 *   task.due (root: a job's due time)  or  POST /api/v1/… (the REST request, a child of the caller's
 *   │                                        traceparent header if it sent one) └─ task.create
 *   ├─ task.dispatch (claim + task:runs to a worker; its traceparent travels in the item)
 *   │  └─ task.run (worker) └─ runner.<name> (worker)
 *   └─ task.result (the final report stored)
 *
 * The root's traceparent is kept on the task row (`trace_parent`), so dispatch and result join the
 * tree on whichever instance leads then; a retry keeps its first attempt's. `tracer` is null when
 * tracing is off: callers test it before doing anything, and no SDK module is loaded.
 * Attributes and statuses are ids, names, times, statuses and error codes only: never env, specs,
 * headers, URLs or error messages (which may quote them).
 */
@Injectable()
export class TaskTracing implements OnApplicationShutdown {
  private readonly logger = new Logger('tracing');
  readonly tracer: TaskTracer | null;

  constructor(@Inject(SERVER_CONFIG) config: ServerConfig) {
    this.tracer = config.tracing ? startTracing('cronfleet-apiserver') : null;
    if (this.tracer) this.logger.log('tracing on: spans exported over OTLP/HTTP');
  }

  /**
   * `task.due` roots for due-time rows about to be written (skipped rows get none); each row
   * carries its span's traceparent. End them with {@link dueWritten}.
   */
  dueStarted<R extends DueRow>(rows: R[]): Map<R, Span> {
    const spans = new Map<R, Span>();
    for (const row of rows) {
      if (row.status === 'skipped') continue;
      const span = this.tracer!.start('task.due', null, {
        'cronfleet.cronjob_id': row.cronjobId ?? 0,
        'cronfleet.cronjob_name': row.cronjobName ?? '',
        'cronfleet.scheduled_at': row.scheduledAt.toISOString(),
        'cronfleet.trigger': row.trigger,
        'cronfleet.attempt': row.attempt ?? 1,
        'cronfleet.runner': row.runner,
      });
      row.traceParent = this.tracer!.traceparent(span);
      spans.set(row, span);
    }
    return spans;
  }

  /** Ends the `task.due` spans once the rows are written (`created`) or the write failed (`error`). */
  dueWritten(spans: Map<DueRow, Span>, created: readonly Pick<TracedTask, 'id' | 'traceParent'>[], error?: unknown): void {
    const ids = new Map(created.map((t) => [t.traceParent, t.id]));
    for (const [row, span] of spans) {
      const id = ids.get(row.traceParent ?? null);
      if (id !== undefined) span.setAttribute(TASK_ID_ATTRIBUTE, id);
      // Not written by this instance: another one made that due time first (its own span is the task's root).
      else span.setAttribute('cronfleet.outcome', error === undefined ? 'exists' : 'failed');
      if (error !== undefined) span.setStatus({ code: ERROR, message: coerceError(error).code });
      span.end();
    }
  }

  /**
   * A `task.create` span around making one task outside the schedule: a child of the REST request's
   * span (POST /tasks, run now, retry), else a root (a chain, a workflow step).
   */
  async created<T extends { task: Pick<TracedTask, 'id' | 'cronjobId'>; created: boolean }>(trigger: string, make: (traceParent: string) => Promise<T>): Promise<T> {
    const request = requestSpan.getStore();
    const span = this.tracer!.start('task.create', request?.traceparent ?? null, { 'cronfleet.trigger': trigger });
    try {
      const made = await make(this.tracer!.traceparent(span));
      span.setAttribute(TASK_ID_ATTRIBUTE, made.task.id);
      request?.span.setAttribute(TASK_ID_ATTRIBUTE, made.task.id);
      if (made.task.cronjobId !== null) span.setAttribute('cronfleet.cronjob_id', made.task.cronjobId);
      if (!made.created) span.setAttribute('cronfleet.outcome', 'exists');
      return made;
    } catch (e) {
      span.setStatus({ code: ERROR, message: coerceError(e).code });
      throw e;
    } finally {
      span.end();
    }
  }

  /** `task.dispatch`: from the claim (`sinceMs`) to the worker's answer; see {@link dispatchEnded}. */
  dispatchStarted(task: TracedTask, workerId: number, again: boolean, sinceMs: number | undefined): Span {
    return this.tracer!.start(
      'task.dispatch',
      task.traceParent,
      { [TASK_ID_ATTRIBUTE]: task.id, 'cronfleet.worker_id': workerId, 'cronfleet.attempt': task.attempt, 'cronfleet.resend': again },
      sinceMs,
    );
  }

  dispatchEnded(span: Span, ack: TaskRunAck): void {
    if (ack.accepted) span.setStatus({ code: OK });
    else {
      span.setAttribute('cronfleet.refusal', ack.error.code);
      span.setStatus({ code: ERROR, message: ack.error.code });
    }
    span.end();
  }

  /**
   * `task.result` around storing a task's final report (`store`), a child of the task's root; the
   * root's traceparent is read from the row after the write (`traceParentOf`).
   */
  async result<T>(workerId: number, msg: TaskUpdate, store: () => Promise<T>, traceParentOf: (id: number) => Promise<string | null>): Promise<T> {
    const startMs = Date.now();
    let failure: unknown;
    try {
      return await store();
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      const endMs = Date.now();
      void traceParentOf(msg.taskId)
        .catch(() => null)
        .then((parent) => {
          const span = this.tracer!.start(
            'task.result',
            parent,
            { [TASK_ID_ATTRIBUTE]: msg.taskId, 'cronfleet.worker_id': workerId, 'cronfleet.status': msg.status, ...(msg.exitCode != null ? { 'cronfleet.exit_code': msg.exitCode } : {}) },
            startMs,
          );
          if (failure !== undefined) span.setStatus({ code: ERROR, message: coerceError(failure).code });
          else if (msg.status !== 'success') span.setStatus({ code: ERROR, message: msg.error?.code ?? msg.status });
          span.end(endMs);
        });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tracer?.shutdown().catch((e: unknown) => this.logger.warn(`exporting the last spans: ${coerceError(e).message}`));
  }
}
