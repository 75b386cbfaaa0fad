import { describe, table, truncate, when } from './format';
import { type NamespaceView, usageOfQuota } from './namespace';

// Human renderings of namespaces for `-o table`. JSON and YAML output never pass through here.

/** NAME, JOBS, RUNNING, MAX JOBS, MAX CONCURRENT, DESCRIPTION; `-` for no quota. */
export function namespaceTable(items: readonly NamespaceView[]): string {
  if (items.length === 0) return 'no namespaces';
  const quota = (n: number | null) => (n === null ? '-' : String(n));
  return table(
    ['name', 'jobs', 'running', 'max jobs', 'max concurrent', 'description'],
    items.map((n) => [n.name, String(n.usage.jobs), String(n.usage.runningTasks), quota(n.maxJobs), quota(n.maxConcurrentTasks), n.description ? truncate(n.description, 60) : '-']),
  );
}

export function namespaceDetail(n: NamespaceView, nowMs: number): string {
  return describe([
    ['Name', n.name],
    ['Description', n.description],
    ['Cron jobs', `${usageOfQuota(n.usage.jobs, n.maxJobs)}${n.maxJobs === null ? ' (no quota)' : ''}`],
    ['Workflows', n.usage.workflows],
    ['Running tasks', `${usageOfQuota(n.usage.runningTasks, n.maxConcurrentTasks)}${n.maxConcurrentTasks === null ? ' (no quota)' : ''}`],
    ['Created', when(n.createdAt, nowMs)],
    ['Updated', when(n.updatedAt, nowMs)],
  ]);
}
