import { Command } from 'commander';
import { rename, writeFile } from 'node:fs/promises';
import { parseDefinitionsFile } from '@cronfleet/shared';
import { CliError, EXIT } from '../cli-error';
import { exportDocument, nameMatcher, renderExport } from '../export-file';
import { checkWorkflows } from '../workflow-file';
import { applyInput, applyJobs, type ApplyFileOptions, readSource, type ApplyReport, withApplyFile } from './apply.command';
import { type Act, inNamespace, withConnection, withNamespace } from './common';
import { applyWorkflows, type WorkflowApplyReport } from './workflows.command';

/**
 * `cronfleet export [pattern...] [-f FILE] [-o yaml|json] [--jobs-only|--workflows-only]`: every cron
 * job and workflow as one document `cronfleet apply -f` takes as it is; and `cronfleet apply`, which
 * takes jobs and workflows from one file.
 */
export function registerExport(program: Command, act: Act): void {
  withNamespace(withConnection(program.command('export')), 'only the jobs and workflows of this namespace (default: every namespace the token sees)')
    .description("write every cron job and workflow as one YAML (or -o json) document 'cronfleet apply -f' takes; secret values as '${keep}'")
    .argument('[pattern...]', 'only jobs and workflows with these names (* matches any characters)')
    .option('-f, --file <path>', 'write it to this file instead of standard output')
    .option('--jobs-only', 'only cron jobs')
    .option('--workflows-only', 'only workflows')
    .action(
      act(async (ctx, opts: { file?: string; jobsOnly?: boolean; workflowsOnly?: boolean }, patterns: string[] = []) => {
        if (opts.jobsOnly && opts.workflowsOnly) throw new CliError(EXIT.usage, '--jobs-only and --workflows-only exclude each other');
        const match = nameMatcher(patterns);
        const [jobs, workflows] = await Promise.all([
          opts.workflowsOnly ? null : ctx.api.cronjobs.list({ query: inNamespace(ctx) }).then((r) => r.items.filter((j) => match(j.name))),
          opts.jobsOnly ? null : ctx.api.workflows.list({ query: inNamespace(ctx) }).then((r) => r.items.filter((w) => match(w.name))),
        ]);
        const text = renderExport(exportDocument(jobs, workflows), ctx.format === 'json' ? 'json' : 'yaml');
        if (!opts.file) return void process.stdout.write(text);
        // Through a temporary file, so an interrupted export never leaves half a file behind.
        const tmp = `${opts.file}.${process.pid}.tmp`;
        try {
          await writeFile(tmp, text);
          await rename(tmp, opts.file);
        } catch (e) {
          throw new CliError(EXIT.usage, `cannot write ${opts.file}: ${(e as Error).message}`);
        }
        process.stderr.write(`cronfleet: exported ${jobs?.length ?? 0} cron job(s) and ${workflows?.length ?? 0} workflow(s) to ${opts.file}\n`);
      }),
    );

  withApplyFile(withNamespace(withConnection(program.command('apply')), "the namespace of a job or workflow without 'namespace:' (default: the token's namespace, else 'default')"))
    .description('create or update cron jobs and workflows by namespace and name from a file (an export, or anything cronjobs apply takes)')
    .action(
      act(async (ctx, opts: ApplyFileOptions) => {
        const { source, dryRun } = applyInput(opts);
        const file = parseDefinitionsFile(await readSource(opts.file), source);
        if (!file.sectioned && file.jobs.length === 0) throw new CliError(EXIT.usage, `${source}: holds nothing to apply (expected jobs, or { jobs: [...], workflows: [...] })`);
        // Every workflow is checked before the first job is changed, as every job is.
        const workflows = checkWorkflows(file.workflows, source, ctx.namespace);
        const jobs: ApplyReport[] = [];
        const flows: WorkflowApplyReport[] = [];
        const show = () => {
          if (ctx.format !== 'table') ctx.show({ dryRun, jobs, workflows: flows }, () => '');
        };
        try {
          if (file.jobs.length) await applyJobs(ctx, file.jobs, source, dryRun, jobs);
          await applyWorkflows(ctx, workflows, source, dryRun, flows);
        } catch (e) {
          show();
          throw e;
        }
        show();
      }),
    );
}
