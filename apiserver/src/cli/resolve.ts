import type { CronJobView } from '../cronjobs/dto/cronjob.dto';
import type { WorkerDetail, WorkerView } from '../workers/workers.service';
import { CliError, EXIT } from './cli-error';
import type { AdminClient } from './client';

/**
 * A cron job by id or name. An all-digit reference is tried as an id first, then as a name, so a
 * job named `2024` is still reachable; names are unique, so a name finds at most one job.
 */
export async function resolveCronJob(client: AdminClient, ref: string): Promise<CronJobView> {
  const byId = await tryId(() => client.get<CronJobView>(`/cronjobs/${ref}`), ref);
  if (byId) return byId;
  const { items } = await client.get<{ items: CronJobView[] }>('/cronjobs');
  const job = items.find((j) => j.name === ref);
  if (!job) throw new CliError(EXIT.notFound, `cron job '${ref}' not found (no job has this ${/^\d+$/.test(ref) ? 'id or ' : ''}name)`);
  return job;
}

/** A worker by id or name, the same way as {@link resolveCronJob}. */
export async function resolveWorker(client: AdminClient, ref: string): Promise<WorkerDetail | WorkerView> {
  const byId = await tryId(() => client.get<WorkerDetail>(`/workers/${ref}`), ref);
  if (byId) return byId;
  const { items } = await client.get<{ items: WorkerView[] }>('/workers');
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
