import { InvalidArgumentError, Option, type Command } from 'commander';
import { ROLES, type Role } from '@cronfleet/shared';
import { CliError, EXIT } from '../cli-error';
import { confirm, withYes } from '../confirm';
import { parseDurationSeconds } from '../duration';
import { tokenTable } from '../views';
import { namespaceLabel } from '../namespace';
import { type Act, inNamespace, withConnection, withNamespace } from './common';

/** `30d`, `12h`, `45m`, `90s`, `2w` (or plain seconds) as seconds. */
export function parseExpiresIn(v: string): number {
  const seconds = parseDurationSeconds(v);
  if (seconds === null || seconds < 1) throw new InvalidArgumentError('must be a duration such as 30d, 12h, 45m or 90s');
  return seconds;
}

/** `cronfleet tokens ls|create|revoke`: API tokens with roles (admin only). */
export function registerTokens(program: Command, act: Act): void {
  const group = withNamespace(
    withConnection(program.command('tokens').description('list, create and revoke API tokens (needs an admin token)')),
    'ls: only tokens of this namespace; create: a token scoped to it, which sees and changes nothing outside it',
    // A token's scope is a matter of security: given on the command line, never inherited from the shell.
    false,
  );

  group
    .command('ls')
    .description('list API tokens: role, expiry, last use, revoked or not (never their secrets)')
    .action(
      act(async (ctx) => {
        const data = await ctx.api.tokens.list({ query: inNamespace(ctx) });
        ctx.show(data, () => tokenTable(data.items, ctx.nowMs));
      }),
    );

  group
    .command('create')
    .description('create an API token, cluster-wide or with --namespace scoped to one namespace; its secret is printed this once')
    .requiredOption('--name <name>', 'unique name, shown in the audit log')
    .addOption(new Option('--role <role>', 'viewer (read), operator (also run, pause, kill, drain), admin (everything)').choices(ROLES).makeOptionMandatory())
    .option('--expires-in <duration>', 'stops working after this long, e.g. 30d, 12h (default: never)', parseExpiresIn)
    .action(
      act(async (ctx, opts: { name: string; role: Role; expiresIn?: number }) => {
        const t = await ctx.api.tokens.create({ body: {
          name: opts.name,
          role: opts.role,
          ...inNamespace(ctx),
          ...(opts.expiresIn !== undefined ? { expiresInSeconds: opts.expiresIn } : {}),
        } });
        ctx.show(t, () =>
          [
            `token '${t.name}' (id ${t.id}, role ${t.role}, ${t.namespace === null ? 'cluster-wide' : `namespace ${namespaceLabel(t.namespace)}`}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}) created:`,
            '',
            `  ${t.token}`,
            '',
            'Keep it now: the server stores only its hash and cannot show it again.',
          ].join('\n'),
        );
      }),
    );

  withYes(group.command('revoke'))
    .description('revoke an API token: refused from its next request on (asks first on a terminal)')
    .argument('<id>', 'the token id (see tokens ls)')
    .action(
      act(async (ctx, opts: { yes?: boolean }, id: string) => {
        if (!/^\d+$/.test(id)) throw new CliError(EXIT.usage, `'${id}' is not a token id: give the number from tokens ls`);
        await confirm(async () => {
          const t = (await ctx.api.tokens.list()).items.find((x) => x.id === Number(id));
          return `revoke token ${id}${t ? ` '${t.name}' (${t.role})` : ''}`;
        }, opts, { note: 'every request with it is refused from then on' });
        await ctx.api.tokens.revoke({ params: { id: Number(id) } });
        ctx.show({ id: Number(id), revoked: true }, () => `token ${id} revoked`);
      }),
    );
}
