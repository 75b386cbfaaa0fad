import type { Span } from '@opentelemetry/api';
import { TASK_ID_ATTRIBUTE, type TaskRun, type TaskTracer, type TaskUpdate } from '@cronfleet/shared';

/** OpenTelemetry span status codes (SpanStatusCode, without loading @opentelemetry/api). */
const OK = 1;
const ERROR = 2;

/** A running task's spans: `task.run` (child of the server's `task.dispatch`) and `runner.<name>` inside it. */
export interface TaskSpans {
  run: Span;
  runner: Span;
}

/**
 * Starts a task's spans when tracing is on. Attributes are ids, names and counts only: never the
 * task's env, secret env, spec, URL or headers.
 */
export function startTaskSpans(tracer: TaskTracer, task: TaskRun, workerName: string): TaskSpans {
  const run = tracer.start('task.run', task.traceparent, {
    [TASK_ID_ATTRIBUTE]: task.taskId,
    'cronfleet.runner': task.runner,
    'cronfleet.attempt': task.attempt,
    'cronfleet.worker_name': workerName,
    ...(task.cronjobId !== null ? { 'cronfleet.cronjob_id': task.cronjobId } : {}),
  });
  const runner = tracer.start(`runner.${task.runner}`, tracer.traceparent(run), { [TASK_ID_ATTRIBUTE]: task.taskId });
  return { run, runner };
}

/** Ends both spans with the task's result (status, exit code or signal, error code). */
export function endTaskSpans(spans: TaskSpans, update: TaskUpdate): void {
  for (const span of [spans.runner, spans.run]) {
    span.setAttribute('cronfleet.status', update.status);
    if (update.exitCode != null) span.setAttribute('cronfleet.exit_code', update.exitCode);
    if (update.signal) span.setAttribute('cronfleet.signal', update.signal);
    // The code only: an error's message may quote the task's command line or URL.
    span.setStatus(update.status === 'success' ? { code: OK } : { code: ERROR, message: update.error?.code ?? update.status });
    span.end(update.atMs);
  }
}
