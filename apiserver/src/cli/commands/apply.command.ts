import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { CronJobView } from '../../cronjobs/dto/cronjob.dto';
import { planStep, type ApplyStep } from '../apply-plan';
import { triggerOrder } from '../../cronjobs/dto/triggers.dto';
import { CliError, EXIT } from '../cli-error';
import { parseJobFile, validateJobs } from '../job-file';
import { resolveSecretRefs } from '../secret-refs';
import { type Act, type Context } from './common';

type Result = 'created' | 'updated' | 'unchanged';

/** One line of `apply`'s report; `-o json` prints `{ dryRun, items: [...] }` of these. */
export interface ApplyReport {
  name: string;
  /** Null for a job a dry run would create. */
  id: number | null;
  result: Result;
  /** Fields sent in the PATCH of an update. */
  changed: string[];
  /** The job as the server holds it afterwards (as it is now, for a dry run). */
  cronjob: CronJobView | null;
}

/**
 * `cronfleet cronjobs apply -f jobs.yaml [--dry-run]`: every job of the file is checked first (the
 * API's schemas, locally: nothing is written to find a mistake), then created or patched by name one
 * by one, stopping at the first refusal with a report of what was already applied.
 */
export function registerApply(group: Command, act: Act): void {
  group
    .command('apply')
    .description('create or update jobs by name from a YAML or JSON file (one job, a list, or { jobs: [...] })')
    .requiredOption('-f, --file <path>', "the file; '-' reads standard input")
    .option('--dry-run', 'check the file and show what would change, without changing anything')
    .action(
      act(async (ctx, opts: { file: string; dryRun?: boolean }) => {
        const source = opts.file === '-' ? 'stdin' : opts.file;
        const dryRun = Boolean(opts.dryRun);
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
 * to `reports` (and printed for `-o table`) as it is done, stopping at the first refusal.
 */
export async function applyJobs(ctx: Context, values: unknown[], source: string, dryRun: boolean, reports: ApplyReport[]): Promise<void> {
  resolveSecretRefs(values, process.env, source);
  const defs = triggerOrder(validateJobs(values, source));
  const { items } = await ctx.client.get<{ items: CronJobView[] }>('/cronjobs');
  const byName = new Map(items.map((j) => [j.name, j]));
  let steps: ApplyStep[];
  try {
    steps = defs.map((d) => planStep(d, byName.get(d.name)));
  } catch (e) {
    if (e instanceof CliError) throw new CliError(e.exitCode, `${source}: ${e.message}`);
    throw e;
  }
  const first = reports.length;
  for (const step of steps) {
    let r: ApplyReport;
    try {
      r = dryRun ? preview(step, byName.get(step.def.name) ?? null) : await apply(ctx, step);
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
    if (ctx.format === 'table') process.stdout.write(`${line(r, dryRun)}\n`);
  }
}

async function apply(ctx: Context, step: ApplyStep): Promise<ApplyReport> {
  const name = step.def.name;
  if (step.action === 'create') {
    const job = await ctx.client.post<CronJobView>('/cronjobs', step.body);
    return { name, id: job.id, result: 'created', changed: [], cronjob: job };
  }
  if (step.action === 'update') {
    const job = await ctx.client.patch<CronJobView>(`/cronjobs/${step.id}`, step.patch);
    return { name, id: job.id, result: 'updated', changed: step.changed, cronjob: job };
  }
  return { name, id: step.id, result: 'unchanged', changed: [], cronjob: null };
}

function preview(step: ApplyStep, existing: CronJobView | null): ApplyReport {
  const name = step.def.name;
  if (step.action === 'create') return { name, id: null, result: 'created', changed: [], cronjob: null };
  return { name, id: step.id, result: step.action === 'update' ? 'updated' : 'unchanged', changed: step.action === 'update' ? step.changed : [], cronjob: existing };
}

function line(r: ApplyReport, dryRun: boolean): string {
  const verb = dryRun ? { created: 'would be created', updated: 'would be updated', unchanged: 'unchanged' }[r.result] : r.result;
  const id = r.id === null ? '' : ` (id ${r.id})`;
  return `cron job '${r.name}'${id} ${verb}${r.changed.length ? `: ${r.changed.join(', ')}` : ''}`;
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
