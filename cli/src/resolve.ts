import type { CronJobView, WorkerDetailView, WorkerView } from '@cronfleet/shared';
import { CliError, EXIT } from './cli-error';
import type { Api } from './client';
import { DEFAULT_NAMESPACE } from './namespace';

/**
 * A cron job by id or name, in `namespace` when given (`--namespace`). An all-digit reference is
 * tried as an id first, then as a name, so a job named `2024` is still reachable. A name is unique
 * in a namespace; see {@link pickByName} for one found in several.
 */
export async function resolveCronJob(api: Api, ref: string, namespace?: string): Promise<CronJobView> {
  const byId = await tryId(() => api.cronjobs.get({ params: { id: Number(ref) } }), ref);
  if (byId && (namespace === undefined || byId.namespace === namespace)) return byId;
  const { items } = await api.cronjobs.list({ query: namespace === undefined ? {} : { namespace } });
  const job = pickByName(items, ref, 'cron job');
  if (!job) throw new CliError(EXIT.notFound, `cron job '${ref}' not found (no job has this ${/^\d+$/.test(ref) ? 'id or ' : ''}name${namespace === undefined ? '' : ` in namespace '${namespace}'`})`);
  return job;
}

/**
 * The one of `items` named `name`, or undefined. Found in several namespaces (a cluster-wide token
 * sees them all), it is the one in `default`, where the server looks a name up for such a token (as
 * for workflows by name); without one there, a refusal naming the namespaces and `--namespace`.
 */
export function pickByName<T extends { name: string; namespace: string }>(items: readonly T[], name: string, what: string): T | undefined {
  const found = items.filter((i) => i.name === name);
  if (found.length <= 1) return found[0];
  const inDefault = found.find((i) => i.namespace === DEFAULT_NAMESPACE);
  if (inDefault) return inDefault;
  const namespaces = found.map((i) => `'${i.namespace}'`).sort().join(', ');
  throw new CliError(EXIT.usage, `${what} '${name}' is in several namespaces (${namespaces}): give --namespace to say which`);
}

/** A worker by id or name, the same way as {@link resolveCronJob}. */
export async function resolveWorker(api: Api, ref: string): Promise<WorkerDetailView | WorkerView> {
  const byId = await tryId(() => api.workers.get({ params: { id: Number(ref) } }), ref);
  if (byId) return byId;
  const { items } = await api.workers.list();
  const worker = items.find((w) => w.name === ref);
  if (!worker) throw new CliError(EXIT.notFound, `worker '${ref}' not found (no worker has this ${/^\d+$/.test(ref) ? 'id or ' : ''}name)`);
  return worker;
}

async function tryId<T>(get: () => Promise<T>, ref: string): Promise<T | null> {
  if (!/^[1-9]\d{0,15}$/.test(ref)) return null;
  try {
    return await get();
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.notFound) return null;
    throw e;
  }
}
