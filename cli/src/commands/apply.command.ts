import { applyOrder, inNamespaceLabel, isDefinitionError, parseJobFile, planStep, resolveSecretRefs, validateJobs, type ApplyStep, type JobDefinition } from '@cronfleet/shared';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { CronJobView, CRONJOB_ROUTES, RouteInput } from '@cronfleet/shared';
import { CliError, EXIT, fromDefinitionError } from '../cli-error';
import { byNamespaceAndName, DEFAULT_NAMESPACE } from '../namespace';
import { type Act, type Context } from './common';

type Result = 'created' | 'updated' | 'unchanged';
type CreateCronJobBody = RouteInput<typeof CRONJOB_ROUTES.create>['body'];
type UpdateCronJobBody = RouteInput<typeof CRONJOB_ROUTES.update>['body'];

/** One line of `apply`'s report; `-o json` prints `{ dryRun, items: [...] }` of these. */
export interface ApplyReport {
  name: string;
  namespace: string;
  /** Null for a job a dry run would create. */
  id: number | null;
  result: Result;
  /** Fields sent in the PATCH of an update. */
  changed: string[];
  /** The job as the server holds it afterwards (as it is now, for a dry run). */
  cronjob: CronJobView | null;
}

/** The options of every `apply` command: `-f FILE` (`-`: standard input) and `--dry-run`. */
export function withApplyFile(command: Command): Command {
  return command.requiredOption('-f, --file <path>', "the file; '-' reads standard input").option('--dry-run', 'check the file and show what would change, without changing anything');
}

/** How an apply names its file in messages, and whether it only looks. */
export function applyInput(opts: ApplyFileOptions): { source: string; dryRun: boolean } {
  return { source: opts.file === '-' ? 'stdin' : opts.file, dryRun: Boolean(opts.dryRun) };
}

export interface ApplyFileOptions {
  file: string;
  dryRun?: boolean;
}

/**
 * `cronfleet cronjobs apply -f jobs.yaml [--dry-run]`: every job of the file is checked first (the
 * API's schemas, locally: nothing is written to find a mistake), then created or patched by namespace
 * and name one by one, stopping at the first refusal with a report of what was already applied.
 */
export function registerApply(group: Command, act: Act): void {
  withApplyFile(group.command('apply'))
    .description("create or update jobs by namespace and name from a YAML or JSON file (one job, a list, or { jobs: [...] }); --namespace is the namespace of a job without 'namespace:'")
    .action(
      act(async (ctx, opts: ApplyFileOptions) => {
        const { source, dryRun } = applyInput(opts);
        const reports: ApplyReport[] = [];
        const show = () => {
          if (ctx.format !== 'table') ctx.show({ dryRun, items: reports }, () => '');
        };
        try {
          await applyJobs(ctx, parseJobFile(await readSource(opts.file), source), source, dryRun, reports);
        } catch (e) {
          show();
          throw e;
        }
        show();
      }),
    );
}

/**
 * Applies the jobs of a file: `${env:NAME}` secrets resolved, every job checked and its step planned
 * before the first change; then created or patched one by one in trigger order, each report pushed
 * to `reports` (and printed for `-o table`) as it is done, stopping at the first refusal. A job is
 * the server's job of the same namespace and name; one without a namespace (in the file or
 * `--namespace`) is compared with the job in the namespace the server creates it in.
 */
export async function applyJobs(ctx: Context, values: unknown[], source: string, dryRun: boolean, reports: ApplyReport[]): Promise<void> {
  resolveSecretRefs(values, process.env, source);
  const checked = validateJobs(values, source, ctx.namespace);
  const fallback = checked.some((d) => d.namespace === undefined) ? await serverDefaultNamespace(ctx) : DEFAULT_NAMESPACE;
  const namespaceOf = (d: JobDefinition) => d.namespace ?? fallback;
  const defs = applyOrder(checked, namespaceOf);
  // Every namespace the token sees: a file may name several.
  const { items } = await ctx.api.cronjobs.list();
  const find = byNamespaceAndName(items);
  const existing = (d: JobDefinition) => find(namespaceOf(d), d.name);
  let steps: ApplyStep[];
  try {
    steps = defs.map((d) => planStep(d, existing(d)));
  } catch (e) {
    if (isDefinitionError(e)) throw fromDefinitionError(e, `${source}: `);
    throw e;
  }
  const first = reports.length;
  for (const step of steps) {
    let r: ApplyReport;
    try {
      r = dryRun ? preview(step, existing(step.def) ?? null, namespaceOf(step.def)) : await apply(ctx, step, namespaceOf(step.def));
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      const done = reports.length - first;
      const left = steps.slice(done + 1).map((s) => `'${s.def.name}'`);
      throw new CliError(
        e.exitCode,
        `${source}: job '${step.def.name}' (${step.def.position}): ${e.message}\n` +
          `cronfleet: stopped there: ${done} job(s) applied before it${left.length ? `, not applied: ${left.join(', ')}` : ''}`,
      );
    }
    reports.push(r);
    if (ctx.format === 'table') process.stdout.write(`${applyLine(r, dryRun)}\n`);
  }
}

async function apply(ctx: Context, step: ApplyStep, namespace: string): Promise<ApplyReport> {
  const name = step.def.name;
  if (step.action === 'create') {
    // The plan's bodies are the file's jobs as given, checked by validateJobs against the API's own
    // schemas before any change; the plan types them loosely (shared's ApplyStep), not the CLI.
    const job = await ctx.api.cronjobs.create({ body: step.body as CreateCronJobBody });
    return { name, namespace: job.namespace, id: job.id, result: 'created', changed: [], cronjob: job };
  }
  if (step.action === 'update') {
    const job = await ctx.api.cronjobs.update({ params: { id: step.id }, body: step.patch as UpdateCronJobBody });
    return { name, namespace, id: job.id, result: 'updated', changed: step.changed, cronjob: job };
  }
  return { name, namespace, id: step.id, result: 'unchanged', changed: [], cronjob: null };
}

function preview(step: ApplyStep, existing: CronJobView | null, namespace: string): ApplyReport {
  const name = step.def.name;
  if (step.action === 'create') return { name, namespace, id: null, result: 'created', changed: [], cronjob: null };
  return { name, namespace, id: step.id, result: step.action === 'update' ? 'updated' : 'unchanged', changed: step.action === 'update' ? step.changed : [], cronjob: existing };
}

/** `cron job 'backup' (id 4) updated: schedule`, with ` in namespace 'x'` outside `default`. */
export function applyLine(r: ApplyReport, dryRun: boolean): string {
  const verb = dryRun ? { created: 'would be created', updated: 'would be updated', unchanged: 'unchanged' }[r.result] : r.result;
  const id = r.id === null ? '' : ` (id ${r.id})`;
  return `cron job '${r.name}'${inNamespaceLabel(r.namespace)}${id} ${verb}${r.changed.length ? `: ${r.changed.join(', ')}` : ''}`;
}

/** The namespace the server creates in when a request names none: the token's own, or `default` for a cluster-wide token. */
export async function serverDefaultNamespace(ctx: Context): Promise<string> {
  const self = await ctx.api.tokens.self();
  return self.namespace ?? DEFAULT_NAMESPACE;
}

export async function readSource(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    throw new CliError(EXIT.usage, `cannot read ${file === '-' ? 'standard input' : file}: ${(e as Error).message}`);
  }
}
