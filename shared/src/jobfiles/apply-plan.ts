import { toNotifyView } from '../api/notify';
import { triggerOrder } from '../api/triggers';
import type { CronJobView } from '../api/views';
import { scheduleToString } from '../scheduling/schedule';
import { DefinitionError } from './definition-error';
import type { JobDefinition } from './job-file';
import { sameValue } from './same-value';
import { KEEP, keptFields } from './secret-refs';

export type ApplyStep =
  | { action: 'create'; def: JobDefinition; body: Record<string, unknown> }
  | { action: 'update'; def: JobDefinition; id: number; changed: string[]; patch: Record<string, unknown> }
  | { action: 'unchanged'; def: JobDefinition; id: number };

/**
 * What `apply` does with one job of the file, given the job of that namespace and name on the server
 * (if any). A create sends the job's namespace when the file or `--namespace` gives one; an update
 * never does (a job cannot move).
 *
 * The file is the job's whole definition: a field it leaves out is compared with its default, so
 * deleting `retry:` from the file turns retries off. Two fields are the exception, compared only
 * when the file gives them: `enabled` (paused or not is operational state, set by `pause`/`resume`)
 * and `secretEnv` (kept out of files in version control). Secret values cannot be read back, so a
 * file that gives a non-empty `secretEnv` (or webhook header values) always sends it, unless every
 * value is `${keep}` (what `cronfleet export` writes) for the names the server holds: that is "as it
 * is". `${keep}` cannot be sent (the server replaces all secrets of a field at once and cannot give
 * a value back), so a step that would have to send one is refused, naming the job and the field.
 */
export function planStep(def: JobDefinition, existing: CronJobView | undefined): ApplyStep {
  if (!existing) {
    const kept = keptFields(def.job);
    if (kept.length) throw keepRefused(def, kept[0], `there is no job '${def.name}' on the server to keep it from`);
    return { action: 'create', def, body: def.namespace === undefined ? def.given : { ...def.given, namespace: def.namespace } };
  }
  const desired: Record<string, unknown> = { ...def.job, schedule: scheduleToString(def.job.schedule) };
  const current = existing as unknown as Record<string, unknown>;
  const changed: string[] = [];
  for (const [field, want] of Object.entries(desired)) {
    // The job was found by its namespace: the file's agrees, or names none.
    if (field === 'namespace') continue;
    if (field === 'enabled' && !('enabled' in def.given)) continue;
    if (field === 'secretEnv') {
      if (!('secretEnv' in def.given)) continue;
      const values = (want as Record<string, string> | null) ?? {};
      const keys = Object.keys(values);
      const kept = keys.filter((k) => values[k] === KEEP);
      if (kept.length === 0) {
        if (keys.length > 0 || existing.secretEnvKeys.length > 0) changed.push(field);
        continue;
      }
      const missing = kept.find((k) => !existing.secretEnvKeys.includes(k));
      if (missing) throw keepRefused(def, `secretEnv.${missing}`, `job '${def.name}' on the server has no secret variable ${missing}`);
      if (kept.length < keys.length) throw keepRefused(def, `secretEnv.${kept[0]}`, 'other secret variables change, and the server replaces them all at once');
      if (!sameValue([...keys].sort(), [...existing.secretEnvKeys].sort())) {
        throw keepRefused(def, `secretEnv.${kept[0]}`, `the server holds ${[...existing.secretEnvKeys].sort().join(', ')} and the file only ${[...keys].sort().join(', ')}; dropping one replaces them all at once`);
      }
      continue;
    }
    if (field === 'notify') {
      // The API shows header names only: compare that, and send header values the file gives.
      const rules = (want as Parameters<typeof toNotifyView>[0]) ?? [];
      const headerValues = rules.flatMap((r) => Object.values(r.webhook?.headers ?? {}));
      const kept = keptFields(def.job);
      if (sameValue(toNotifyView(rules), existing.notify) && headerValues.every((v) => v === KEEP)) continue;
      const keptHeader = kept.find((f) => f.startsWith('notify'));
      if (keptHeader) throw keepRefused(def, keptHeader, `notify differs from the server's, and its rules are replaced as a whole`);
      changed.push(field);
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

/**
 * The order to apply the jobs of a file in: namespace by namespace as they first appear, and within
 * one, a job that others trigger before them (triggers name jobs of the job's own namespace).
 */
export function applyOrder(defs: readonly JobDefinition[], namespaceOf: (d: JobDefinition) => string | undefined = (d) => d.namespace): JobDefinition[] {
  const groups = new Map<string | undefined, JobDefinition[]>();
  for (const d of defs) groups.set(namespaceOf(d), [...(groups.get(namespaceOf(d)) ?? []), d]);
  return [...groups.values()].flatMap((g) => triggerOrder(g));
}

function keepRefused(def: JobDefinition, field: string, why: string): DefinitionError {
  return new DefinitionError(
    'invalid',
    `job '${def.name}' (${def.position}): ${field}: '${KEEP}' keeps the value the server holds, but ${why}: give the value, or '\${env:NAME}' to read it from the environment variable NAME`,
  );
}
