import { parseAllDocuments } from 'yaml';
import { type CreateCronJob, CreateCronJobSchema } from '../api/cronjobs';
import { paramsFitProblem } from '../api/job-params';
import { checkSpec } from '../api/runner-spec';
import { describeIssues } from '../protocol/validate';
import { parseSchedule } from '../scheduling/schedule';
import { DefinitionError } from './definition-error';

/** Fields of a job as the API shows it that a file may carry (from `get -o yaml`) and apply ignores. */
export const READ_ONLY_FIELDS = ['id', 'version', 'nextRunAt', 'createdAt', 'updatedAt', 'secretEnvKeys'] as const;

/** One job of a file, checked: what the file says, and the same after the API's validation and defaults. */
export interface JobDefinition {
  name: string;
  /**
   * The file's `namespace:`, else the default given to {@link validateJobs} (`--namespace`); undefined:
   * neither, and the server's default applies. `given` and `job` hold only the file's.
   */
  namespace: string | undefined;
  /** Where it is in the file, for messages: `#2`. */
  position: string;
  /** The fields the file gives, read-only ones removed. */
  given: Record<string, unknown>;
  /** The job as the server would store it: defaults filled in, spec validated, schedule as stored text. */
  job: CreateCronJob;
}

/** What a file holds: cron jobs, and workflows (only under a `workflows:` key). */
export interface DefinitionsFile {
  jobs: unknown[];
  workflows: unknown[];
  /** True when a document names a `jobs:` or `workflows:` list (an export), even an empty one. */
  sectioned: boolean;
}

/**
 * The definitions in a YAML or JSON file: documents (several in YAML) each holding one job, a list of
 * jobs, or `{ jobs?: [...], workflows?: [...] }` (what `cronfleet export` writes). A file that cannot
 * be parsed is `unreadable` (the CLI's usage error, exit 2).
 */
export function parseDefinitionsFile(text: string, source: string): DefinitionsFile {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: DefinitionsFile = { jobs: [], workflows: [], sectioned: false };
  for (const doc of list) {
    if (doc.errors.length) throw new DefinitionError('unreadable', `${source}: not valid YAML or JSON: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) out.jobs.push(...value);
    else if (isSections(value)) {
      out.sectioned = true;
      out.jobs.push(...((value.jobs as unknown[] | undefined) ?? []));
      out.workflows.push(...((value.workflows as unknown[] | undefined) ?? []));
    } else out.jobs.push(value);
  }
  return out;
}

/**
 * The jobs in a YAML or JSON file: one job, a list of jobs, `{ jobs: [...] }`, or several YAML
 * documents each holding any of these. A file that cannot be parsed or holds no job is
 * `unreadable`, and so is one holding workflows (`cronfleet apply` takes both).
 */
export function parseJobFile(text: string, source: string): unknown[] {
  const { jobs, workflows } = parseDefinitionsFile(text, source);
  if (workflows.length) throw new DefinitionError('unreadable', `${source}: holds workflows too: apply it with 'cronfleet apply -f', which takes jobs and workflows`);
  if (jobs.length === 0) throw new DefinitionError('unreadable', `${source}: holds no job (expected a job, a list of jobs, or { jobs: [...] })`);
  return jobs;
}

/** `{ jobs: [...] }`, `{ workflows: [...] }` or both, and nothing else. */
function isSections(v: unknown): v is { jobs?: unknown[]; workflows?: unknown[] } {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => (k === 'jobs' || k === 'workflows') && Array.isArray(v[k]));
}

/**
 * Checks every job before anything is changed, with the server's own schemas, so the messages are
 * the API's (`schedule '61 * * * *': minute 61 is out of range 0-59`) and nothing is written on the
 * server to find them. Names must be unique per namespace in the file. A bad job is `invalid` (the
 * CLI's refusal, exit 1), naming the job and the field. A job without `namespace:` is in `defaultNamespace` (`--namespace`).
 */
export function validateJobs(values: readonly unknown[], source: string, defaultNamespace?: string): JobDefinition[] {
  const seen = new Map<string, string>();
  return values.map((value, i) => {
    const position = `#${i + 1}`;
    const label = (name?: unknown) => `${source}: job ${typeof name === 'string' && name.trim() ? `'${name.trim()}' (${position})` : position}`;
    if (!isObject(value)) throw new DefinitionError('invalid', `${label()}: must be an object with name, schedule, runner and spec`);
    const given = Object.fromEntries(Object.entries(value).filter(([k]) => !(READ_ONLY_FIELDS as readonly string[]).includes(k)));
    const parsed = CreateCronJobSchema.safeParse(given);
    if (!parsed.success) throw new DefinitionError('invalid', `${label(given.name)}: ${describeIssues(parsed.error, 'job')}`);
    const job = parsed.data;
    const spec = checkSpec(job.runner, job.spec);
    if (!spec.ok) throw new DefinitionError('invalid', `${label(job.name)}: ${spec.message}`);
    job.spec = spec.spec;
    try {
      parseSchedule(job.schedule, job.timezone);
    } catch (e) {
      throw new DefinitionError('invalid', `${label(job.name)}: ${(e as Error).message}`);
    }
    // As the server would refuse it: an enabled job's required params need defaults, and no env may hide
    // them. Without `enabled` in the file, apply leaves a job's state as it is: only the server knows it.
    const paramsProblem = paramsFitProblem({ ...job, enabled: 'enabled' in given && job.enabled, secretEnvKeys: Object.keys(job.secretEnv ?? {}) });
    if (paramsProblem) throw new DefinitionError('invalid', `${label(job.name)}: ${paramsProblem}`);
    const namespace = job.namespace ?? defaultNamespace;
    const key = `${namespace ?? ''}/${job.name}`;
    const earlier = seen.get(key);
    if (earlier) throw new DefinitionError('invalid', `${label(job.name)}: name: '${job.name}' is also the name of job ${earlier}${namespace ? ` in namespace '${namespace}'` : ''}; names are unique in a namespace`);
    seen.set(key, position);
    return { name: job.name, namespace, position, given, job };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
