import type { Command } from 'commander';
import type { CronJobView, NamedJob } from '@cronfleet/shared';
import { EXIT, type ExitCode, CliError } from '../cli-error';
import { followTaskOutput } from '../follow';
import { RunEvents } from '../follow-run';
import { resolveCronJob } from '../resolve';
import { cronJobDetail, cronJobTable } from '../views';
import { changeLine, versionDetail, versionTable } from '../version-views';
import { confirm, withYes } from '../confirm';
import type { Api } from '../client';
import { inNamespaceLabel } from '@cronfleet/shared';
import { registerApply } from './apply.command';
import { type Act, inNamespace, keyValue, positiveInt, withConnection, withNamespace } from './common';

/** `cronfleet cronjobs ls|get|apply|run|pause|resume|rm|versions|rollback`. */
export function registerCronJobs(program: Command, act: Act): void {
  const group = withNamespace(withConnection(program.command('cronjobs').description('list, inspect, apply and control cron jobs')));

  group
    .command('ls')
    .description('list cron jobs with their schedule, state and next run')
    .action(
      act(async (ctx) => {
        const data = await ctx.api.cronjobs.list({ query: inNamespace(ctx) });
        ctx.show(data, () => cronJobTable(data.items, ctx.nowMs));
      }),
    );

  group
    .command('get')
    .description('show one cron job, its definition and its recent tasks')
    .argument('<job>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const job = await resolveCronJob(ctx.api, ref, ctx.namespace);
        if (ctx.format !== 'table') return ctx.show(job, () => '');
        const [tasks, workers] = await Promise.all([
          ctx.api.tasks.list({ query: { cronjobId: job.id, limit: 5 } }),
          ctx.api.workers.list(),
        ]);
        ctx.show(job, () => cronJobDetail(job, tasks.items, new Map(workers.items.map((w) => [w.id, w.name])), ctx.nowMs));
      }),
    );

  registerApply(group, act);

  group
    .command('run')
    .description('run a job now, also when it is paused; prints the new task\'s id')
    .argument('<job>', 'id or name')
    .option('-p, --param <NAME=VALUE>', 'a value for one of the job\'s params, given to the task as CRONFLEET_PARAM_<NAME> (repeat for more)', keyValue)
    .option('--arg <value>', 'admin only: an argument replacing the spec\'s args (repeat for more)', (v: string, all: string[] = []) => [...all, v])
    .option('--env <KEY=VALUE>', 'admin only: an environment variable over the spec\'s env for this run (repeat for more)', keyValue)
    .option('-f, --follow', "then print the task's output as it comes, and each retry's after it until the last attempt (which attempt: on stderr); exit 0 if the last one succeeds, 1 if not")
    .action(
      act(async (ctx, opts: { param?: Record<string, string>; arg?: string[]; env?: Record<string, string>; follow?: boolean }, ref: string) => {
        const job = await resolveCronJob(ctx.api, ref, ctx.namespace);
        const body = { ...(opts.param ? { params: opts.param } : {}), ...(opts.arg ? { args: opts.arg } : {}), ...(opts.env ? { env: opts.env } : {}) };
        // Listening before the run starts: its end and its retries cannot be missed.
        const events = opts.follow ? await RunEvents.open(ctx.api, job.id) : null;
        try {
          const res = await ctx.api.cronjobs.run({ params: { id: job.id }, body });
          if (!events) {
            return ctx.show(res, () => `task ${res.taskId} queued for cron job '${job.name}' (cronfleet tasks logs ${res.taskId} -f)`);
          }
          return await followRun(ctx.api, events, job, res.taskId);
        } finally {
          events?.close();
        }
      }),
    );

  for (const [name, action, description] of [
    ['pause', 'pause', 'stop scheduling a job (running tasks go on; run still works)'],
    ['resume', 'resume', 'schedule a paused job again, from now'],
  ] as const) {
    group
      .command(name)
      .description(description)
      .argument('<job>', 'id or name')
      .action(
        act(async (ctx, _opts, ref: string) => {
          const job = await resolveCronJob(ctx.api, ref, ctx.namespace);
          const saved = await ctx.api.cronjobs[action]({ params: { id: job.id } });
          ctx.show(saved, () =>
            saved.enabled ? `cron job '${saved.name}' (id ${saved.id}) resumed; next run ${saved.nextRunAt ? `at ${saved.nextRunAt}` : 'never'}` : `cron job '${saved.name}' (id ${saved.id}) paused`,
          );
        }),
      );
  }

  group
    .command('versions')
    .description("a job's versions, newest first: who changed what and when; with a version number, its whole definition")
    .argument('<job>', 'id or name, also of a deleted job')
    .argument('[version]', 'show this version', positiveInt('version'))
    .option('--limit <n>', 'at most this many (1-100; default 20)', positiveInt('--limit', 100))
    .option('--cursor <version>', "the page after this one: the previous answer's nextCursor", positiveInt('--cursor'))
    .action(
      act(async (ctx, opts: { limit?: number; cursor?: number }, ref: string, version?: number) => {
        const id = await jobIdOf(ctx.api, ref, ctx.namespace);
        if (version !== undefined) {
          const v = await ctx.api.cronjobVersions.get({ params: { id, version } });
          return ctx.show(v, () => versionDetail(v, ctx.nowMs));
        }
        const data = await ctx.api.cronjobVersions.list({ params: { id }, query: { limit: opts.limit, cursor: opts.cursor } });
        ctx.show(data, () => versionTable(data.items, ctx.nowMs) + (data.nextCursor ? `\n(more: --cursor ${data.nextCursor})` : ''));
      }),
    );

  group
    .command('rollback')
    .description("write an older version's definition again, as a new version (secrets and webhook headers of that version; the pause state stays)")
    .argument('<job>', 'id or name')
    .argument('<version>', 'the version to go back to', positiveInt('version'))
    .action(
      act(async (ctx, _opts, ref: string, version: number) => {
        const job = await resolveCronJob(ctx.api, ref, ctx.namespace);
        const res = await ctx.api.cronjobVersions.rollback({ params: { id: job.id, version } });
        ctx.show(res, () => {
          const label = `cron job '${res.cronjob.name}' (id ${job.id})`;
          if (!res.version) return `${label} already has the definition of version ${version}: nothing changed`;
          return [`${label} rolled back to version ${version}, as version ${res.version.version}`, ...res.version.changes.map((c) => `  ${changeLine(c)}`)].join('\n');
        });
      }),
    );

  withYes(group.command('rm'))
    .description('delete a job and its task history (asks first on a terminal; its versions stay: cronjobs versions NAME)')
    .argument('<job>', 'id or name')
    .action(
      act(async (ctx, opts: { yes?: boolean }, ref: string) => {
        const job = await resolveCronJob(ctx.api, ref, ctx.namespace);
        await confirm(`delete cron job '${job.name}'${inNamespaceLabel(job.namespace)} (id ${job.id}) and its task history`, opts, { note: 'its versions stay' });
        await ctx.api.cronjobs.remove({ params: { id: job.id } });
        ctx.show({ id: job.id, name: job.name, namespace: job.namespace, deleted: true }, () => `cron job '${job.name}'${inNamespaceLabel(job.namespace)} (id ${job.id}) deleted, with its task history`);
      }),
    );
}

/**
 * A job's id by id or name, also when the job is gone (its versions stay): an id as it is, a name
 * through `GET /cronjob-versions?name=`, which finds deleted jobs by the name they had. Several
 * deleted under that name: the one deleted last, the others named on stderr.
 */
async function jobIdOf(api: Api, ref: string, namespace: string | undefined): Promise<number> {
  let notFound: CliError;
  try {
    return (await resolveCronJob(api, ref, namespace)).id;
  } catch (e) {
    if (!(e instanceof CliError && e.exitCode === EXIT.notFound)) throw e;
    if (/^[1-9]\d{0,15}$/.test(ref)) return Number(ref);
    notFound = e;
  }
  const found = await api.cronjobVersionsByName.list({ query: { name: ref, namespace } }).catch((e: unknown) => {
    // A server from before this route answers 404: the job is as not found as it was.
    if (e instanceof CliError && e.exitCode === EXIT.notFound) return { items: [] };
    throw e;
  });
  const [gone, ...others] = found.items.filter((j) => j.deleted);
  if (!gone) throw new CliError(EXIT.notFound, `${notFound.message.replace(/\)$/, '')}, nor had a deleted one)`);
  const where = (j: NamedJob) => `id ${j.cronjobId}${j.namespace && j.namespace !== 'default' ? ` in namespace '${j.namespace}'` : ''}, deleted ${j.at}`;
  process.stderr.write(`cronfleet: cron job '${ref}' was deleted: its versions are those of ${where(gone)}\n`);
  if (others.length) process.stderr.write(`cronfleet: other cron jobs named '${ref}' were deleted before it: ${others.map(where).join('; ')} (give the id to see one of them)\n`);
  return gone.cronjobId;
}

/** How long after its output ended an attempt's end event may take (it is published as the end is written). */
const END_EVENT_WITHIN_MS = 15_000;

/** How long after an attempt's end its retry may take to be created: at once, due later; the server tries to write it for 30 s. */
const RETRY_CREATED_WITHIN_MS = 60_000;

/**
 * `cronjobs run -f`: the output of each attempt of the run on stdout, as it comes, from the first to
 * the last (a retry the job's policy makes is a new task: followed in turn); on stderr which attempt
 * it is, how each ended and, at the end, the last one's status and exit code. Exit 0 only when the
 * last attempt succeeded.
 */
async function followRun(api: Api, events: RunEvents, job: CronJobView, firstTaskId: number): Promise<ExitCode> {
  const say = (line: string) => process.stderr.write(`cronfleet: ${line}\n`);
  const attempts = (job.retry?.maxRetries ?? 0) + 1;
  const of = attempts > 1 ? ` of ${attempts}` : '';
  say(`task ${firstTaskId} queued for cron job '${job.name}'${attempts > 1 ? ` (attempt 1${of}: up to ${attempts - 1} retr${attempts === 2 ? 'y' : 'ies'} follow a failure)` : ''}`);
  let taskId = firstTaskId;
  let attempt = 1;
  for (;;) {
    await followTaskOutput(api, taskId);
    // The output stream has ended with the task: its end event is there, or about to be.
    const end = await events.endOf(taskId, END_EVENT_WITHIN_MS);
    if (!end) say(`no end event for task ${taskId} within ${END_EVENT_WITHIN_MS / 1000} s: whether a retry follows is not known; following stops here`);
    if (!end || end.retryInMs === null) {
      const t = await api.tasks.get({ params: { id: taskId } });
      const how = t.exitCode !== null ? `, exit code ${t.exitCode}` : typeof t.httpStatus === 'number' ? `, HTTP ${t.httpStatus}` : t.signal ? `, signal ${t.signal}` : '';
      say(`task ${taskId} (attempt ${t.attempt}${of}) ended ${t.status}${how}`);
      return t.status === 'success' ? EXIT.ok : EXIT.refused;
    }
    say(`task ${taskId} (attempt ${attempt}${of}) ended ${end.status}${end.exitCode !== null ? `, exit code ${end.exitCode}` : ''}: retrying in ${Math.max(0, Math.round(end.retryInMs / 1000))} s`);
    const next = await events.retryOf(taskId, RETRY_CREATED_WITHIN_MS);
    if (!next) {
      throw new CliError(EXIT.refused, `the retry of task ${taskId} was announced but not made within ${RETRY_CREATED_WITHIN_MS / 1000} s; see cronfleet tasks ls --job ${job.id}`);
    }
    taskId = next.taskId;
    attempt = next.attempt || attempt + 1;
    say(`attempt ${attempt}${of}: task ${taskId}`);
  }
}
