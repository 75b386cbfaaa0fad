import { TASK_ROUTES } from '@cronfleet/shared/api';
import { CronfleetApiError } from './cronfleet-api-error';
import { readEventStream, serverErrorEvent, type StreamOptions } from './event-stream';
import { parseData } from './live-events';
import type { Transport } from './transport';

/** `GET /api/v1/tasks/:id/output`: the task's output as text, or with `follow=true` as Server-Sent Events. */
export const TASK_OUTPUT_ROUTE = TASK_ROUTES.output;

/**
 * One event of a followed task's output: `output` is one chunk of stdout/stderr (`seq` the chunk's
 * number, what is stored first, then live chunks), `end` the task's final status, after all of its
 * output.
 */
export type TaskOutputEvent = { event: 'output'; data: { seq: number; data: string } } | { event: 'end'; data: { status: string } };

/** Options of {@link followTaskOutput}: its `signal` ends it cleanly. */
export type FollowOutputOptions = Pick<StreamOptions, 'signal' | 'onOpen'>;

/**
 * Follows task `taskId`'s output until it ends: its stored output, then chunks as they come, then
 * one `end` event with the status, after which the iteration ends. Not reconnected: following again
 * sends the output from the start. A drop before `end` is a `ServerUnreachable` error, a reader the
 * server dropped for not keeping up a `SlowClient` one (both retryable: follow again); a task that
 * does not exist fails at once with the server's 404 `TaskNotFound`. No idle timeout: a task may be
 * quiet for hours.
 */
export async function* followTaskOutput(transport: Transport, taskId: number, options: FollowOutputOptions = {}): AsyncGenerator<TaskOutputEvent> {
  const stream = readEventStream(transport, TASK_OUTPUT_ROUTE, { params: { id: taskId }, query: { follow: 'true' } }, { ...options, reconnect: false, idleTimeoutMs: false }, serverErrorEvent);
  for await (const message of stream) {
    if (message.event === 'output') yield { event: 'output', data: parseData(message.data, 'output') as { seq: number; data: string } };
    else if (message.event === 'end') {
      yield { event: 'end', data: parseData(message.data, 'end') as { status: string } };
      return;
    }
  }
  if (options.signal?.aborted) return;
  throw new CronfleetApiError({ status: null, code: 'ServerUnreachable', message: `the output stream of task ${taskId} ended before the task did`, retryable: true });
}
