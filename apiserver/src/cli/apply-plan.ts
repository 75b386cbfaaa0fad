import type { CronJobView } from '../cronjobs/dto/cronjob.dto';
import { scheduleToString } from '../dispatcher/core/schedule';
import type { JobDefinition } from './job-file';

export type ApplyStep =
  | { action: 'create'; def: JobDefinition; body: Record<string, unknown> }
  | { action: 'update'; def: JobDefinition; id: number; changed: string[]; patch: Record<string, unknown> }
  | { action: 'unchanged'; def: JobDefinition; id: number };

/**
 * What `apply` does with one job of the file, given the job of that name on the server (if any).
 *
 * The file is the job's whole definition: a field it leaves out is compared with its default, so
 * deleting `retry:` from the file turns retries off. Two fields are the exception, compared only
 * when the file gives them: `enabled` (paused or not is operational state, set by `pause`/`resume`)
 * and `secretEnv` (kept out of files in version control). Secret values cannot be read back, so a
 * file that gives a non-empty `secretEnv` always sends it.
 */
export function planStep(def: JobDefinition, existing: CronJobView | undefined): ApplyStep {
  if (!existing) return { action: 'create', def, body: def.given };
  const desired: Record<string, unknown> = { ...def.job, schedule: scheduleToString(def.job.schedule) };
  const current = existing as unknown as Record<string, unknown>;
  const changed: string[] = [];
  for (const [field, want] of Object.entries(desired)) {
    if (field === 'enabled' && !('enabled' in def.given)) continue;
    if (field === 'secretEnv') {
      if (!('secretEnv' in def.given)) continue;
      const keys = Object.keys((want as Record<string, string> | null) ?? {});
      if (keys.length > 0 || existing.secretEnvKeys.length > 0) changed.push(field);
      continue;
    }
    if (!sameValue(want, current[field])) changed.push(field);
  }
  if (changed.length === 0) return { action: 'unchanged', def, id: existing.id };
  // The server checks a spec against the runner: a new runner needs its spec in the same PATCH.
  if (changed.includes('runner') && !changed.includes('spec')) changed.push('spec');
  const patch = Object.fromEntries(changed.map((f) => [f, desired[f]]));
  return { action: 'update', def, id: existing.id, changed, patch };
}

/** Deep equality of JSON values, ignoring key order; undefined equals null (a field the API shows as null). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
