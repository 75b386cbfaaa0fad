import { parse } from 'yaml';
import { envRefFields, parseJobFile, planStep, validateJobs, type ApplyStep, type CronJobView, type JobDefinition } from '@cronfleet/shared';

/** The extensions of a job file in `CRONFLEET_JOBS_DIR`; anything else there is ignored. */
export const JOB_FILE_RE = /\.(json|ya?ml)$/i;

export type FileCheck = { ok: true; defs: JobDefinition[] } | { ok: false; error: string };

/**
 * Reads and checks every job of one file with the CLI's `apply` parser and the API's schemas, before
 * anything is changed: one bad job makes the whole file bad. Never throws.
 */
export function checkJobFile(text: string, source: string): FileCheck {
  try {
    return { ok: true, defs: withoutEnvRefs(validateJobs(parseJobFile(text, source), source), source) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * The `jobs:` of `cronfleet.yaml` (other keys belong to other features and are left alone),
 * checked like a job file. A config without `jobs:` defines none.
 */
export function checkConfigJobs(text: string, source: string): FileCheck {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { ok: false, error: `${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { ok: true, defs: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, error: `${source}: must be a mapping (with an optional jobs: list)` };
  const jobs = (doc as Record<string, unknown>).jobs;
  if (jobs === undefined || jobs === null) return { ok: true, defs: [] };
  if (!Array.isArray(jobs)) return { ok: false, error: `${source}: jobs: must be a list of jobs` };
  try {
    return { ok: true, defs: withoutEnvRefs(validateJobs(jobs, source), source) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * Refuses `${env:NAME}` secrets: they are read from the environment of `cronfleet apply`, and read
 * from the server's own environment they would hand its settings (its secret key) to any job file.
 */
function withoutEnvRefs(defs: JobDefinition[], source: string): JobDefinition[] {
  for (const def of defs) {
    const [field] = envRefFields(def.job);
    if (field) throw new Error(`${source}: job '${def.name}' (${def.position}): ${field}: '\${env:…}' is read by 'cronfleet apply' only; a job file here must give the value`);
  }
  return defs;
}

/**
 * The first job of `defs` that another file already defines (`owners`: job name → file), as an
 * error naming both files; null when there is none. Names are owned by the file that loaded first.
 */
export function duplicateAcrossFiles(source: string, defs: readonly JobDefinition[], owners: ReadonlyMap<string, string>): string | null {
  for (const def of defs) {
    const owner = owners.get(def.name);
    if (owner !== undefined && owner !== source) return `${source}: job '${def.name}' (${def.position}): name: '${def.name}' is already defined by ${owner}; names are unique across files`;
  }
  return null;
}

/**
 * What applying a file does to each of its jobs, given the server's jobs by name (as `apply` compares).
 * Throws (a DefinitionError naming the job and the field) for a `${keep}` the server cannot honour.
 */
export function planFile(defs: readonly JobDefinition[], existing: ReadonlyMap<string, CronJobView>): ApplyStep[] {
  return defs.map((def) => planStep(def, existing.get(def.name)));
}

/** Jobs a file defined before and defines no more (the file was removed, or the job taken out of it): to disable. */
export function droppedJobs(before: readonly string[], after: readonly string[]): string[] {
  const keep = new Set(after);
  return before.filter((n) => !keep.has(n));
}

/**
 * Name for `file` in an archive folder holding `taken`: the same name, or when taken, one stamped
 * with the time (`jobs.20261122T174500123Z.yaml`), then a counter, so nothing is overwritten.
 */
export function archiveName(file: string, taken: ReadonlySet<string>, nowMs: number): string {
  if (!taken.has(file)) return file;
  const dot = file.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [file.slice(0, dot), file.slice(dot)] : [file, ''];
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, '');
  let candidate = `${stem}.${stamp}${ext}`;
  for (let i = 2; taken.has(candidate); i++) candidate = `${stem}.${stamp}-${i}${ext}`;
  return candidate;
}
