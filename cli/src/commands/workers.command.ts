import type { Command } from 'commander';
import { confirm, withYes } from '../confirm';
import { resolveWorker } from '../resolve';
import { workerDetail, workerTable } from '../views';
import { type Act, inNamespace, withConnection, withNamespace } from './common';

/** `cronfleet workers ls|get|drain|undrain|revoke|reenrol|rm`. */
export function registerWorkers(program: Command, act: Act): void {
  const group = withNamespace(withConnection(program.command('workers').description('list, inspect, drain, undrain, revoke, re-enrol and forget workers')), "only the workers serving this namespace: its own and those serving every namespace");

  group
    .command('ls')
    .description('list workers with their status, credential, load, labels and last heartbeat')
    .action(
      act(async (ctx) => {
        const data = await ctx.api.workers.list({ query: inNamespace(ctx) });
        ctx.show(data, () => workerTable(data.items, ctx.nowMs));
      }),
    );

  group
    .command('get')
    .description('show one worker, its stats and its live tasks')
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const { id } = await resolveWorker(ctx.api, ref);
        const w = await ctx.api.workers.get({ params: { id } });
        ctx.show(w, () => workerDetail(w, ctx.nowMs));
      }),
    );

  group
    .command('drain')
    .description('give a worker no new tasks; its running tasks finish')
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const { id } = await resolveWorker(ctx.api, ref);
        const w = await ctx.api.workers.drain({ params: { id } });
        ctx.show(w, () => `worker '${w.name}' (id ${w.id}) drained: it takes no new tasks; ${w.running} running task(s) finish`);
      }),
    );

  group
    .command('undrain')
    .description('let a drained worker take tasks again')
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const { id } = await resolveWorker(ctx.api, ref);
        const w = await ctx.api.workers.undrain({ params: { id } });
        ctx.show(w, () => `worker '${w.name}' (id ${w.id}) undrained: it takes tasks again`);
      }),
    );

  withYes(group.command('revoke'))
    .description("revoke a worker's credential (admin): its connection is cut and its hellos are refused until it is re-enrolled (asks first on a terminal)")
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, opts: { yes?: boolean }, ref: string) => {
        const { id, name } = await resolveWorker(ctx.api, ref);
        await confirm(`revoke the credential of worker '${name}' (id ${id})`, opts, { note: 'its connection is cut and it cannot join again until re-enrolled' });
        const w = await ctx.api.workers.revoke({ params: { id } });
        ctx.show(w, () => `worker '${w.name}' (id ${w.id}) revoked: its connection is cut and it cannot join again until re-enrolled (cronfleet workers reenrol ${w.id})`);
      }),
    );

  group
    .command('reenrol')
    .description("let a worker enrol again (admin): its next hello with the worker token is issued a fresh credential, the old one stops working (a rebuilt host, a lost state directory)")
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, _opts, ref: string) => {
        const { id } = await resolveWorker(ctx.api, ref);
        const w = await ctx.api.workers.reenrol({ params: { id } });
        ctx.show(w, () => `worker '${w.name}' (id ${w.id}) open for enrolment: start it (with the worker token) and its first hello is issued a new credential`);
      }),
    );

  withYes(group.command('rm'))
    .description('forget an offline worker (admin): it leaves the list; its tasks keep its id (refused while it is online or unreachable: drain it and stop it first); asks first on a terminal')
    .argument('<worker>', 'id or name')
    .action(
      act(async (ctx, opts: { yes?: boolean }, ref: string) => {
        const { id, name, status } = await resolveWorker(ctx.api, ref);
        await confirm(`forget worker '${name}' (id ${id}, ${status})`, opts, { note: 'its tasks keep its id; started again with the worker token, it enrols afresh as a new worker: to keep it out, revoke it instead' });
        await ctx.api.workers.remove({ params: { id } });
        ctx.show({ id, name, deleted: true }, () => `worker '${name}' (id ${id}) deleted`);
      }),
    );
}
