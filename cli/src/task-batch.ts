import { MAX_TASK_BATCH, type RouteInput, type TASK_ROUTES, type TaskBatchItem } from '@cronfleet/shared';
import { CliError } from './cli-error';
import type { Api } from './client';
import { positionLabel, type TaskFileEntry, type TaskPosition } from './task-file';

type TaskBatchBody = RouteInput<typeof TASK_ROUTES.createBatch>['body'];
type ItemError = Extract<TaskBatchItem, { error: unknown }>['error'];

/** A batch item's answer and where its task is in the file; an error names the field within the task. */
export type TaskBatchOutcome = TaskPosition & TaskBatchItem;

/** What `tasks create -f` gives each task of the file that does not give its own (`--namespace`, `--delay`...). */
export interface TaskDefaults {
  namespace?: string;
  delaySeconds?: number;
  runAt?: string;
  timeoutSeconds?: number;
  priority?: number;
}

/** `body` with `defaults` under it; a task that gives `runAt` or `delaySeconds` keeps its own time. Anything but an object is sent as it is, for the server to refuse. */
export function withDefaults(body: unknown, defaults: TaskDefaults): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const own = body as Record<string, unknown>;
  const { delaySeconds, runAt, ...rest } = defaults;
  const timed = 'runAt' in own || 'delaySeconds' in own;
  const time = timed ? {} : { delaySeconds, runAt };
  const given = Object.entries({ ...rest, ...time }).filter(([, v]) => v !== undefined);
  return { ...Object.fromEntries(given), ...own };
}

/**
 * An item's error as the server words it for the request (`tasks.3.spec.command: …`, field
 * `tasks.3.spec.command`), worded for the task itself (`spec.command: …`, field `spec.command`;
 * null when it is about the task as a whole).
 */
export function withinTask(error: ItemError, j: number): ItemError {
  const prefix = `tasks.${j}`;
  const field = error.field === prefix ? null : error.field?.startsWith(`${prefix}.`) ? error.field.slice(prefix.length + 1) : error.field;
  const message = error.message.replace(new RegExp(`(^|; )tasks\\.${j}(?:\\.([\\w.-]+))?: `, 'g'), (_, sep: string, f?: string) => `${sep}${f ? `${f}: ` : ''}`);
  return { code: error.code, message, field };
}

/**
 * Sends the tasks in order, at most MAX_TASK_BATCH per request (one request when `atomic`), and
 * hands each request's outcomes to `settled` as they come. Without `atomic`, a request the server
 * finds too large (413: CRONFLEET_MAX_BODY_BYTES) is sent again in halves, and a task too large on
 * its own is that task's error. A request refused as a whole stops there: thrown, saying from which
 * task on nothing was made (or, without an answer, what may have been).
 */
export async function sendTaskBatches(api: Api, entries: readonly TaskFileEntry[], atomic: boolean, source: string, settled: (outcomes: TaskBatchOutcome[]) => void): Promise<void> {
  let answered = 0;
  const send = async (chunk: readonly TaskFileEntry[]): Promise<void> => {
    let items: TaskBatchItem[];
    try {
      // The file's tasks go as they were read, unchecked (the server's per-item errors name their
      // fields): the contract types them as valid tasks, which the CLI does not know them to be.
      const tasks = chunk.map((e) => e.body) as TaskBatchBody['tasks'];
      ({ items } = await api.tasks.createBatch({ body: { tasks, ...(atomic ? { atomic } : {}) } }));
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      if (atomic) throw atomicRefusal(e, chunk, source);
      if (e.refusal?.status !== 413) throw stopped(e, chunk[0], entries.length - answered, source);
      if (chunk.length === 1) {
        settled([{ ...chunk[0].at, error: { code: e.refusal.code ?? 'BodyTooLarge', message: e.refusal.message, field: null } }]);
        answered += 1;
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      await send(chunk.slice(0, half));
      await send(chunk.slice(half));
      return;
    }
    settled(items.map((item, j) => ({ ...chunk[j].at, ...('error' in item ? { error: withinTask(item.error, j) } : item) })));
    answered += chunk.length;
  };
  for (let i = 0; i < entries.length; i += MAX_TASK_BATCH) await send(entries.slice(i, i + MAX_TASK_BATCH));
}

/** An atomic batch refused: the task it names, by its place in the file; nothing was made. */
function atomicRefusal(e: CliError, chunk: readonly TaskFileEntry[], source: string): CliError {
  if (!e.refusal) return e;
  const j = /^tasks\.(\d+)[.:]/.exec(e.refusal.message)?.[1];
  const entry = j === undefined ? undefined : chunk[Number(j)];
  const tag = `(HTTP ${e.refusal.status}${e.refusal.code ? ` ${e.refusal.code}` : ''})`;
  const what = entry ? `${source} ${positionLabel(entry.at)}: ${withinTask({ code: '', message: e.refusal.message, field: null }, Number(j)).message} ${tag}` : e.message;
  return new CliError(e.exitCode, `${what}\ncronfleet: --atomic: no task was made`, e.refusal);
}

/** A request refused or unanswered as a whole: where the run stopped, and what that means for the tasks from there on. */
function stopped(e: CliError, first: TaskFileEntry, left: number, source: string): CliError {
  const from = `${source} ${positionLabel(first.at)}`;
  const refused = e.refusal !== undefined && e.refusal.status < 500;
  const rest = refused
    ? `the ${left} task(s) from ${from} on were not made`
    : `the ${left} task(s) from ${from} on were not answered, and some may have been made: with an idempotencyKey on each, sending them again makes none twice`;
  return new CliError(e.exitCode, `${e.message}\ncronfleet: stopped: ${rest}`, e.refusal);
}
