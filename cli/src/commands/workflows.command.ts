import { Command, InvalidArgumentError } from 'commander';
import { RUN_STATUSES, type RunView, inNamespaceLabel } from '@cronfleet/shared';
import { CliError, EXIT, type ExitCode } from '../cli-error';

type RunStatus = (typeof RUN_STATUSES)[number];
import { confirm, withYes } from '../confirm';
import { DEFAULT_NAMESPACE } from '../namespace';
import { startAndWait } from '../wait-run';
import { readWorkflowFile, sameDefinition, type WorkflowFileEntry } from '../workflow-file';
import { runDetail, runTable, workflowDetail, workflowTable } from '../workflow-views';
import { applyInput, type ApplyFileOptions, readSource, serverDefaultNamespace, withApplyFile } from './apply.command';
import { type Act, type Context, inNamespace, keyValue, positiveInt, wholeSeconds, withConnection, withNamespace } from './common';

const runId = positiveInt('a workflow run id');

/** One line of `workflows apply`'s report; `-o json` prints `{ dryRun, items: [...] }` of these. */
export interface WorkflowApplyReport {
  name: string;
  namespace: string;
  /** Null for a workflow a dry run would create. */
  id: number | null;
  result: 'created' | 'updated' | 'unchanged';
}

/** `cronfleet workflows ls|show|apply|run|runs|get|kill|stop|retry|rm`. */
export function registerWorkflows(program: Command, act: Act): void {
  // A workflow named, not numbered, is looked up in --namespace, else in the token's namespace or 'default'.
  const group = withNamespace(withConnection(program.command('workflows').description('apply, run and follow DAG workflows and their runs')));

  group
    .command('ls')
    .alias('list')
    .description('list workflows with their schedule and next run')
    .action(
      act(async (ctx) => {
        const data = await ctx.api.workflows.list({ query: inNamespace(ctx) });
        ctx.show(data, () => workflowTable(data.items, ctx.nowMs));
      }),
    );

  group
    .command('show')
    .description('show one workflow and its steps (-o yaml prints a file apply takes)')
    .argument('<workflow>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const w = await ctx.api.workflows.get({ params: { idOrName: ref }, query: inNamespace(ctx) });
        ctx.show(w, () => workflowDetail(w, ctx.nowMs));
      }),
    );

  withApplyFile(group.command('apply'))
    .description("create or update workflows by namespace and name from a YAML or JSON file (one workflow, a list, or { workflows: [...] }); --namespace is the namespace of one without 'namespace:'")
    .action(
      act(async (ctx, opts: ApplyFileOptions) => {
        const { source, dryRun } = applyInput(opts);
        const reports: WorkflowApplyReport[] = [];
        await applyWorkflows(ctx, readWorkflowFile(await readSource(opts.file), source, ctx.namespace), source, dryRun, reports);
        if (ctx.format !== 'table') ctx.show({ dryRun, items: reports }, () => '');
      }),
    );

  group
    .command('run')
    .description("run a workflow now, also when it is paused; prints the run's id")
    .argument('<workflow>', 'id or name')
    .option('-p, --param <NAME=VALUE>', "a value for one of the workflow's params, given to every task of the run as CRONFLEET_PARAM_<NAME> (repeat for more)", keyValue)
    .option('-w, --wait', 'then wait for the run to end and print the state of each step; exit 0 if it succeeded, 1 if not')
    .action(
      act(async (ctx, opts: { param?: Record<string, string>; wait?: boolean }, ref: string) => {
        const start = () => ctx.api.workflows.run({ params: { idOrName: ref }, query: inNamespace(ctx), body: opts.param ? { params: opts.param } : {} });
        if (!opts.wait) {
          const run = await start();
          return ctx.show(run, () => `workflow run ${run.id} of '${run.workflowName}' started (cronfleet workflows get ${run.id})`);
        }
        return waitAndShow(ctx, start);
      }),
    );

  group
    .command('runs')
    .description("a workflow's runs, newest first")
    .argument('<workflow>', 'id or name')
    .option('--status <status>', `only runs in this status: ${RUN_STATUSES.join(', ')}`, (v: string) => {
      if (!(RUN_STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${RUN_STATUSES.join(', ')}`);
      return v as RunStatus;
    })
    .option('--limit <n>', 'at most this many (1-500; default 50)', positiveInt('--limit', 500))
    .option('--cursor <id>', "the page after this one: the previous answer's nextCursor", positiveInt('--cursor'))
    .action(
      act(async (ctx, opts: { status?: RunStatus; limit?: number; cursor?: number }, ref: string) => {
        const data = await ctx.api.workflows.runs({ params: { idOrName: ref }, query: { ...inNamespace(ctx), status: opts.status, limit: opts.limit, cursor: opts.cursor } });
        ctx.show(data, () => runTable(data.items, ctx.nowMs) + (data.nextCursor ? `\n(more: --cursor ${data.nextCursor})` : ''));
      }),
    );

  group
    .command('run-status')
    .alias('get')
    .description('show a run: its status and each step with its state, attempts and tasks')
    .argument('<run>', 'workflow run id', runId)
    .action(
      act(async (ctx, _opts, id: number) => {
        const run = await ctx.api.workflowRuns.get({ params: { id } });
        ctx.show(run, () => runDetail(run, ctx.nowMs));
      }),
    );

  withYes(group.command('kill'))
    .description('kill a run: SIGKILL its running steps, skip the rest (asks first on a terminal)')
    .argument('<run>', 'workflow run id', runId)
    .action(
      act(async (ctx, opts: { yes?: boolean }, id: number) => {
        await confirm(async () => `kill workflow run ${id} ${await runLabel(ctx, id)}`, opts, { note: 'SIGKILL to its running steps, the rest skipped' });
        const run = await ctx.api.workflowRuns.kill({ params: { id } });
        ctx.show(run, () => `workflow run ${id} killed\n${runDetail(run, ctx.nowMs)}`);
      }),
    );

  withYes(group.command('stop'))
    .description('stop a run: SIGTERM its running steps (SIGKILL after the grace), skip the rest (asks first on a terminal)')
    .argument('<run>', 'workflow run id', runId)
    .option('--grace <seconds>', "seconds from SIGTERM to SIGKILL (0-3600; default: the server's CRONFLEET_STOP_GRACE_SECONDS)", wholeSeconds)
    .action(
      act(async (ctx, opts: { grace?: number; yes?: boolean }, id: number) => {
        await confirm(async () => `stop workflow run ${id} ${await runLabel(ctx, id)}`, opts, { note: 'SIGTERM to its running steps, the rest skipped' });
        const run = await ctx.api.workflowRuns.stop({ params: { id }, body: opts.grace === undefined ? {} : { graceSeconds: opts.grace } });
        ctx.show(run, () => `workflow run ${id} stopped\n${runDetail(run, ctx.nowMs)}`);
      }),
    );

  group
    .command('retry')
    .description('run a failed, killed or cancelled run again from its failed steps (succeeded steps do not run again)')
    .argument('<run>', 'workflow run id', runId)
    .option('-w, --wait', 'then wait for the run to end and print the state of each step; exit 0 if it succeeded, 1 if not')
    .action(
      act(async (ctx, opts: { wait?: boolean }, id: number) => {
        const retry = () => ctx.api.workflowRuns.retry({ params: { id } });
        if (!opts.wait) {
          const run = await retry();
          return ctx.show(run, () => `workflow run ${id} running again from its failed steps (cronfleet workflows get ${id})`);
        }
        return waitAndShow(ctx, retry);
      }),
    );

  withYes(group.command('rm'))
    .description('delete a workflow with its runs and their tasks (refused while a run is running; asks first on a terminal)')
    .argument('<workflow>', 'id or name')
    .action(
      act(async (ctx, opts: { yes?: boolean }, ref: string) => {
        const w = await ctx.api.workflows.get({ params: { idOrName: ref }, query: inNamespace(ctx) });
        await confirm(`delete workflow '${w.name}'${inNamespaceLabel(w.namespace)} (id ${w.id}) with its runs and their tasks`, opts);
        await ctx.api.workflows.remove({ params: { idOrName: String(w.id) } });
        ctx.show({ id: w.id, name: w.name, namespace: w.namespace, deleted: true }, () => `workflow '${w.name}'${inNamespaceLabel(w.namespace)} (id ${w.id}) deleted, with its runs`);
      }),
    );
}

/** `of 'etl' (running)`: what a question about a run names. */
async function runLabel(ctx: Context, id: number): Promise<string> {
  const run = await ctx.api.workflowRuns.get({ params: { id } });
  return `of '${run.workflowName}' (${run.status})`;
}

/** `--wait`: the run's id goes to stderr at once; the final state of each step to stdout at the end. */
async function waitAndShow(ctx: Context, start: () => Promise<RunView>): Promise<ExitCode> {
  const run = await startAndWait(ctx.api, start, (r) => process.stderr.write(`cronfleet: workflow run ${r.id} of '${r.workflowName}' running; waiting for it to end\n`));
  ctx.show(run, () => runDetail(run, Date.now()));
  if (run.status === 'success') return EXIT.ok;
  process.stderr.write(`cronfleet: workflow run ${run.id} ended ${run.status}\n`);
  return EXIT.refused;
}

/**
 * Creates or replaces checked workflows by namespace and name (one without a namespace is looked up
 * where the server creates it), one by one, each report pushed to `reports` (and
 * printed for `-o table`) as it is done; a workflow the server holds as it is stays unchanged.
 * Stops at the first refusal, saying what was applied.
 */
export async function applyWorkflows(ctx: Context, entries: readonly WorkflowFileEntry[], source: string, dryRun: boolean, reports: WorkflowApplyReport[]): Promise<void> {
  const first = reports.length;
  let fallback: string | undefined;
  for (const [i, { def, position, namespace }] of entries.entries()) {
    let r: WorkflowApplyReport;
    try {
      const query = namespace === undefined ? {} : { namespace };
      const existing = await ctx.api.workflows.get({ params: { idOrName: def.name }, query }).catch((e: unknown) => {
        if (e instanceof CliError && e.exitCode === EXIT.notFound) return null;
        throw e;
      });
      const report = (w: { id: number; namespace: string } | null, ns: string, result: WorkflowApplyReport['result']): WorkflowApplyReport => ({ name: def.name, namespace: w?.namespace ?? ns, id: w?.id ?? null, result });
      if (existing && sameDefinition(def, existing)) r = report(existing, existing.namespace, 'unchanged');
      else if (existing) r = report(dryRun ? existing : await ctx.api.workflows.replace({ params: { idOrName: String(existing.id) }, body: def }), existing.namespace, 'updated');
      else if (dryRun) r = report(null, namespace ?? (fallback ??= await serverDefaultNamespace(ctx)), 'created');
      else r = report(await ctx.api.workflows.create({ body: { ...def, ...query } }), DEFAULT_NAMESPACE, 'created');
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      const left = entries.slice(i + 1).map((x) => `'${x.def.name}'`);
      throw new CliError(e.exitCode, `${source}: workflow '${def.name}' (${position}): ${e.message}\ncronfleet: stopped there: ${reports.length - first} workflow(s) applied before it${left.length ? `, not applied: ${left.join(', ')}` : ''}`);
    }
    reports.push(r);
    if (ctx.format === 'table') {
      const verb = dryRun && r.result !== 'unchanged' ? `would be ${r.result}` : r.result;
      process.stdout.write(`workflow '${r.name}'${inNamespaceLabel(r.namespace)}${r.id === null ? '' : ` (id ${r.id})`} ${verb}\n`);
    }
  }
}
