import { Command } from 'commander';
import { CliError, EXIT } from '../cli-error';
import { confirm, withYes } from '../confirm';
import { namespaceArg, quotaArg } from '../namespace';
import { namespaceDetail, namespaceTable } from '../namespace-views';
import { type Act, withConnection } from './common';


/** The options `create` and `set` share, as quotaArg parsed them; undefined: not given. */
interface NamespaceOptions {
  description?: string;
  maxJobs?: number | 'none';
  maxConcurrentTasks?: number | 'none';
}

/**
 * The body of `namespaces create` and `set`: the options given, a quota of `none` as null (no limit),
 * an empty description as null.
 */
export function namespaceBody(opts: NamespaceOptions): Record<string, string | number | null> {
  const body: Record<string, string | number | null> = {};
  if (opts.description !== undefined) body.description = opts.description.trim() === '' ? null : opts.description;
  if (opts.maxJobs !== undefined) body.maxJobs = opts.maxJobs === 'none' ? null : opts.maxJobs;
  if (opts.maxConcurrentTasks !== undefined) body.maxConcurrentTasks = opts.maxConcurrentTasks === 'none' ? null : opts.maxConcurrentTasks;
  return body;
}

function withFields(cmd: Command, clearing: string): Command {
  return cmd
    .option('--description <text>', `what the namespace is for${clearing ? " ('' clears it)" : ''}`)
    .option('--max-jobs <n>', `most cron jobs in it${clearing}`, quotaArg('--max-jobs'))
    .option('--max-concurrent-tasks <n>', `most of its tasks running at once; more wait pending${clearing}`, quotaArg('--max-concurrent-tasks'));
}

/** `cronfleet namespaces ls|show|create|set|rm`. */
export function registerNamespaces(program: Command, act: Act): void {
  const group = withConnection(program.command('namespaces').description('list, create, change and delete namespaces and their quotas'));

  group
    .command('ls')
    .description('list namespaces with their usage and quotas (a scoped token sees its own)')
    .action(
      act(async (ctx) => {
        const data = await ctx.api.namespaces.list();
        ctx.show(data, () => namespaceTable(data.items));
      }),
    );

  group
    .command('show')
    .description('show one namespace, its usage and quotas')
    .argument('<name>', 'namespace name', namespaceArg)
    .action(
      act(async (ctx, _opts, name: string) => {
        const n = await ctx.api.namespaces.get({ params: { name } });
        ctx.show(n, () => namespaceDetail(n, ctx.nowMs));
      }),
    );

  withFields(group.command('create'), '')
    .description('create a namespace (needs a cluster-wide admin token)')
    .argument('<name>', 'namespace name: 1-63 lowercase letters, digits or -', namespaceArg)
    .action(
      act(async (ctx, opts: NamespaceOptions, name: string) => {
        const n = await ctx.api.namespaces.create({ body: { name, ...namespaceBody(opts) } });
        ctx.show(n, () => `namespace '${n.name}' created\n${namespaceDetail(n, ctx.nowMs)}`);
      }),
    );

  withFields(group.command('set'), "; 'none' removes the quota")
    .description('change the description or quotas of a namespace (needs a cluster-wide admin token)')
    .argument('<name>', 'namespace name', namespaceArg)
    .action(
      act(async (ctx, opts: NamespaceOptions, name: string) => {
        const body = namespaceBody(opts);
        if (Object.keys(body).length === 0) throw new CliError(EXIT.usage, 'namespaces set: nothing to change: give --description, --max-jobs or --max-concurrent-tasks');
        const n = await ctx.api.namespaces.update({ params: { name }, body });
        ctx.show(n, () => `namespace '${n.name}' changed\n${namespaceDetail(n, ctx.nowMs)}`);
      }),
    );

  withYes(group.command('rm'))
    .description("delete an empty namespace (refused while it holds cron jobs, workflows, tokens, dedicated workers or unfinished tasks; never 'default'); asks first on a terminal")
    .argument('<name>', 'namespace name', namespaceArg)
    .action(
      act(async (ctx, opts: { yes?: boolean }, name: string) => {
        await confirm(`delete namespace '${name}'`, opts);
        await ctx.api.namespaces.remove({ params: { name } });
        ctx.show({ name, deleted: true }, () => `namespace '${name}' deleted`);
      }),
    );
}
