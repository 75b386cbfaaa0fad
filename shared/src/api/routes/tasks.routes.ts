import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { CreateTaskBatchDocSchema, CreateTaskSchema, ListTasksQuerySchema, OutputQuerySchema, StopTaskSchema, TaskIdParamSchema, TaskBatchAnswerSchema } from '../tasks';
import { ControlResultSchema, TaskIdSchema, TaskViewSchema } from '../views';
import { cursorPageOf, NO_TASK } from './common';

const params = z.object({ id: TaskIdParamSchema });
/** What kill and stop answer: the server asks the task's worker and waits for it. */
const CONTROL = {
  status: 200,
  result: ControlResultSchema,
  resultDescription: 'the worker confirmed',
  errors: {
    404: NO_TASK,
    409: 'the task has already ended (TaskNotRunning)',
    504: 'the worker did not confirm in time (WorkerDidNotConfirm); recorded on the task as control.state unconfirmed',
  },
} as const;

/**
 * `/tasks`: executions, their output, one-shot tasks, cancel and retry (TasksController), kill and
 * stop (TaskControlController, with the workers: the server asks the task's worker).
 */
export const TASK_ROUTES = {
  create: defineRoute({
    method: 'POST',
    path: '/tasks',
    // A one-shot task carries its own command: defining what runs is an admin's.
    access: 'admin',
    scope: 'scoped',
    tag: 'tasks',
    summary: 'Create a one-shot task',
    description:
      'Runs at `runAt` or after `delaySeconds` (now when neither is given), outside any cron job. `runner` may name a plugin runner ' +
      '(its `spec` a JSON object the plugin checks on the worker); the task waits until an online worker offers it.',
    body: CreateTaskSchema,
    status: 202,
    result: TaskIdSchema,
    resultDescription: 'the task was created',
    alsoAnswers: { 200: { description: 'a task with this idempotencyKey exists: its id', schema: TaskIdSchema } },
  }),
  createBatch: defineRoute({
    method: 'POST',
    path: '/tasks/batch',
    // Each item carries its own command, as in POST /tasks.
    access: 'admin',
    scope: 'scoped',
    tag: 'tasks',
    summary: 'Create up to 1,000 one-shot tasks',
    description:
      'Each item is a `POST /tasks` body, checked and made on its own: the answer holds one entry per item, in order, `{ taskId, created }` ' +
      '(`created: false` when its `idempotencyKey` names an existing task) or `{ error: { code, message, field } }` (fields named `tasks.<i>.<field>`), ' +
      'so one bad item does not refuse the others. With `atomic: true` all are made or none: the first refusal is the answer (400, 403 or 404 as for one task). ' +
      'Answered once every task made is durable.',
    // Each item as a CreateTask: the server checks the envelope (CreateTaskBatchSchema), then each item on its own.
    body: CreateTaskBatchDocSchema,
    status: 200,
    result: TaskBatchAnswerSchema,
    resultDescription: 'one entry per item, in order',
  }),
  cancel: defineRoute({
    method: 'DELETE',
    path: '/tasks/:id',
    access: 'operator',
    scope: resource('task'),
    tag: 'tasks',
    summary: 'Cancel a task that has not reached a worker',
    params,
    status: 204,
    resultDescription: 'cancelled',
    errors: { 404: NO_TASK, 409: 'it reached a worker or has ended (TaskNotRunning); kill it instead' },
  }),
  retry: defineRoute({
    method: 'POST',
    path: '/tasks/:id/retry',
    access: 'operator',
    scope: resource('task'),
    tag: 'tasks',
    summary: "Run a finished task's run again as the attempt after its latest one",
    params,
    status: 202,
    result: TaskIdSchema,
    resultDescription: 'the new attempt was created',
    errors: {
      404: NO_TASK,
      409: "the task has not ended yet (TaskNotRunning), or its run's latest attempt is live or was just retried (RetryExists, naming that attempt)",
    },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/tasks',
    access: 'viewer',
    scope: 'scoped',
    tag: 'tasks',
    summary: 'List tasks, newest first',
    query: ListTasksQuerySchema,
    status: 200,
    result: cursorPageOf(TaskViewSchema),
    resultDescription: 'one page',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/tasks/:id',
    access: 'viewer',
    scope: resource('task'),
    tag: 'tasks',
    summary: 'Read a task',
    params,
    status: 200,
    result: TaskViewSchema,
    resultDescription: 'the task',
    errors: { 404: NO_TASK },
  }),
  output: defineRoute({
    method: 'GET',
    path: '/tasks/:id/output',
    access: 'viewer',
    scope: resource('task'),
    tag: 'tasks',
    summary: "A task's output",
    description: 'stdout and stderr as text; with `follow=true`, Server-Sent Events: `output` events `{ seq, data }` (what is stored, then live) until `end` `{ status }`.',
    params,
    query: OutputQuerySchema,
    status: 200,
    resultContentType: 'text/plain',
    alsoContentTypes: ['text/event-stream'],
    resultDescription: 'the output as text, or an event stream with follow=true',
    errors: { 404: NO_TASK },
  }),
  kill: defineRoute({ method: 'POST', path: '/tasks/:id/kill', access: 'operator', scope: resource('task'), tag: 'tasks', summary: "SIGKILL to a task's process group", params, ...CONTROL }),
  stop: defineRoute({ method: 'POST', path: '/tasks/:id/stop', access: 'operator', scope: resource('task'), tag: 'tasks', summary: 'SIGTERM to a task, SIGKILL after the grace', params, body: StopTaskSchema, ...CONTROL }),
};
