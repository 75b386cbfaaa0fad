import { TASK_STATUSES, type RouteResult, type TASK_ROUTES, type TaskStatus } from '@cronfleet/shared';
import { Command, InvalidArgumentError } from 'commander';
import { CliError, EXIT } from '../cli-error';
import type { Api } from '../client';
import { confirm, withYes } from '../confirm';
import { followTaskOutput } from '../follow';
import { resolveCronJob } from '../resolve';
import { taskDetail, taskTable } from '../views';
import { type Act, inNamespace, positiveInt, wholeSeconds, withConnection, withNamespace } from './common';
import { registerTaskCreate } from './task-create.command';

/** `kill` and `stop` answer with this once the task's worker confirmed (a 504 otherwise). */
type ControlResult = RouteResult<typeof TASK_ROUTES.kill>;

const taskId = positiveInt('a task id');

/** What `tasks cancel` did with one id; `-o json` prints `{ items: [...] }` of these. */
type CancelOutcome = { taskId: number; cancelled: true } | { taskId: number; cancelled: false; error: { status: number; code: string | null; message: string } };

/** `cronfleet tasks ls|get|logs|create|cancel|kill|stop|retry`. */
export function registerTasks(program: Command, act: Act): void {
  const group = withNamespace(withConnection(program.command('tasks').description('list, inspect, follow, create and control tasks (runs of jobs, and one-shot tasks)')));

  group
    .command('ls')
    .description('list tasks, newest first')
    .option('--job <job>', 'only tasks of this cron job (id or name)')
    .option('--status <status>', `only tasks in this status: ${TASK_STATUSES.join(', ')}`, (v: string) => {
      if (!(TASK_STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${TASK_STATUSES.join(', ')}`);
      return v as TaskStatus;
    })
    .option('--limit <n>', 'at most this many (1-500; default 50)', positiveInt('--limit', 500))
    .option('--cursor <id>', "the page after this one: the previous answer's nextCursor", positiveInt('--cursor'))
    .action(
      act(async (ctx, opts: { job?: string; status?: TaskStatus; limit?: number; cursor?: number }) => {
        const cronjobId = opts.job === undefined ? undefined : (await resolveCronJob(ctx.api, opts.job, ctx.namespace)).id;
        const data = await ctx.api.tasks.list({ query: { ...inNamespace(ctx), cronjobId, status: opts.status, limit: opts.limit, cursor: opts.cursor } });
        if (ctx.format !== 'table') return ctx.show(data, () => '');
        const names = await workerNames(ctx.api);
        ctx.show(data, () => taskTable(data.items, names, ctx.nowMs) + (data.nextCursor ? `\n(more: --cursor ${data.nextCursor})` : ''));
      }),
    );

  group
    .command('get')
    .description('show one task')
    .argument('<id>', 'task id', taskId)
    .action(
      act(async (ctx, _opts, id: number) => {
        const task = await ctx.api.tasks.get({ params: { id } });
        if (ctx.format !== 'table') return ctx.show(task, () => '');
        const names = await workerNames(ctx.api);
        ctx.show(task, () => taskDetail(task, names, ctx.nowMs));
      }),
    );

  group
    .command('logs')
    .description("print a task's output (stdout and stderr as it was kept); with -f, follow it live")
    .argument('<id>', 'task id', taskId)
    .option('-f, --follow', 'print what is kept, then the output as it comes until the task ends; exit 0 if it succeeded, 1 if not')
    .action(
      act(async (ctx, opts: { follow?: boolean }, id: number) => {
        if (!opts.follow) {
          process.stdout.write(await ctx.api.tasks.output({ params: { id } }));
          return;
        }
        const status = await followTaskOutput(ctx.api, id);
        if (status === 'success') return EXIT.ok;
        process.stderr.write(`cronfleet: task ${id} ended ${status}\n`);
        return EXIT.refused;
      }),
    );

  registerTaskCreate(group, act);

  withYes(group.command('cancel'))
    .description('cancel tasks that have not reached a worker yet (they end cancelled); prints what happened to each; exit 1 if any was not cancelled; asks first on a terminal')
    .argument('<id...>', 'task ids', (v: string, ids: number[] = []) => [...ids, taskId(v)])
    .action(
      act(async (ctx, opts: { yes?: boolean }, ids: number[]) => {
        const unique = [...new Set(ids)];
        await confirm(`cancel ${unique.length === 1 ? `task ${unique[0]}` : `${unique.length} tasks (${unique.join(', ')})`}`, opts);
        const items: CancelOutcome[] = [];
        try {
          for (const id of unique) {
            const outcome = await cancelOne(ctx.api, id);
            items.push(outcome);
            if (ctx.format === 'table') process.stdout.write(`${cancelLine(outcome)}\n`);
          }
        } catch (e) {
          if (ctx.format !== 'table' && items.length) ctx.show({ items }, () => '');
          throw e;
        }
        if (ctx.format !== 'table') ctx.show({ items }, () => '');
        return items.every((i) => i.cancelled) ? EXIT.ok : EXIT.refused;
      }),
    );

  withYes(group.command('kill'))
    .description("SIGKILL the task's process group now; answers once its worker confirmed (asks first on a terminal)")
    .argument('<id>', 'task id', taskId)
    .action(
      act(async (ctx, opts: { yes?: boolean }, id: number) => {
        await confirm(async () => `kill task ${id} ${await taskLabel(ctx.api, id)}`, opts, { note: 'SIGKILL to its processes now' });
        const res = await ctx.api.tasks.kill({ params: { id } });
        ctx.show(res, () => controlLine(res));
      }),
    );

  withYes(group.command('stop'))
    .description("SIGTERM the task's process group, SIGKILL after the grace (asks first on a terminal)")
    .argument('<id>', 'task id', taskId)
    .option('--grace <seconds>', "seconds from SIGTERM to SIGKILL (0-3600; default: the server's CRONFLEET_STOP_GRACE_SECONDS)", wholeSeconds)
    .action(
      act(async (ctx, opts: { grace?: number; yes?: boolean }, id: number) => {
        await confirm(async () => `stop task ${id} ${await taskLabel(ctx.api, id)}`, opts, { note: 'SIGTERM to its processes, SIGKILL after the grace' });
        const res = await ctx.api.tasks.stop({ params: { id }, body: opts.grace === undefined ? {} : { graceSeconds: opts.grace } });
        ctx.show(res, () => controlLine(res));
      }),
    );

  group
    .command('retry')
    .description('run a finished task again as its next attempt; prints the new task\'s id')
    .argument('<id>', 'task id', taskId)
    .action(
      act(async (ctx, _opts, id: number) => {
        const res = await ctx.api.tasks.retry({ params: { id } });
        ctx.show(res, () => `task ${res.taskId} queued (retry of task ${id})`);
      }),
    );
}

/** One DELETE: the API's refusal of this id is its outcome; a server that cannot be reached or a refused token stops the command. */
async function cancelOne(api: Api, id: number): Promise<CancelOutcome> {
  try {
    await api.tasks.cancel({ params: { id } });
    return { taskId: id, cancelled: true };
  } catch (e) {
    if (!(e instanceof CliError) || !e.refusal || e.exitCode === EXIT.usage) throw e;
    return { taskId: id, cancelled: false, error: { status: e.refusal.status, code: e.refusal.code ?? null, message: e.refusal.message } };
  }
}

/** `task 12 cancelled`; a refusal as the API words it (it names the task), with its status and code. */
function cancelLine(o: CancelOutcome): string {
  if (o.cancelled) return `task ${o.taskId} cancelled`;
  const message = o.error.message.startsWith(`task ${o.taskId} `) ? o.error.message : `task ${o.taskId}: ${o.error.message}`;
  return `${message} (HTTP ${o.error.status}${o.error.code ? ` ${o.error.code}` : ''})`;
}

function controlLine(r: ControlResult): string {
  const what = r.action === 'kill' ? 'killed' : 'stopping (SIGTERM sent)';
  return `task ${r.taskId} ${what}${r.workerId !== null ? `; worker ${r.workerId} confirmed` : ' before it reached a worker'}`;
}

/** `of cron job 'backup' (running)`: what a question about a task names. */
async function taskLabel(api: Api, id: number): Promise<string> {
  const t = await api.tasks.get({ params: { id } });
  const of = t.cronjobName ? `of cron job '${t.cronjobName}'` : t.workflow ? `of workflow run ${t.workflow.runId}` : '(one-shot)';
  return `${of} (${t.status})`;
}

async function workerNames(api: Api): Promise<Map<number, string>> {
  const { items } = await api.workers.list();
  return new Map(items.map((w) => [w.id, w.name]));
}
