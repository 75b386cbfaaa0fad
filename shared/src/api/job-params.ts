/**
 * Job parameters, as Rundeck options and Jenkins parameters: what a job (or a workflow, with the same
 * declaration and checks) declares may vary between runs, and the only thing an operator may vary. A run gets each value as the environment variable
 * `CRONFLEET_PARAM_<NAME>`, never spliced into a command line or a shell string.
 */
export interface JobParam {
  /** `^[A-Z][A-Z0-9_]{0,63}$`: an environment variable name's usual form, so it reads the same in the task. */
  name: string;
  description?: string;
  /** Used when a run gives no value: by scheduled runs always, by chains whose trigger gives none. Satisfies `pattern`/`enum`. */
  default?: string;
  /** A run must give a value (or the param have a default). Default false. */
  required?: boolean;
  /** A JavaScript regular expression (Unicode mode) the whole value must match. */
  pattern?: string;
  /** The only values allowed. */
  enum?: string[];
}

export const PARAM_ENV_PREFIX = 'CRONFLEET_PARAM_';
export const PARAM_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
export const MAX_PARAMS = 20;
/** Most bytes (UTF-8) of a value, default or enum member. */
export const MAX_PARAM_VALUE_BYTES = 4096;
export const MAX_PATTERN_LENGTH = 512;
export const MAX_ENUM_VALUES = 100;
/** How long one pattern may take on one value: a pattern that backtracks without end must not hold the server. */
export const PATTERN_TIMEOUT_MS = 100;

/** A run's values by param name, or what is wrong with what it gave, one `params.<NAME>: …` per problem. */
export type ResolvedParams = { ok: true; values: Record<string, string> } | { ok: false; problems: string[] };

/** Runs a user's pattern on a value: whether the whole value matches, or `timeout` past {@link PATTERN_TIMEOUT_MS}. */
export type PatternTest = (pattern: string, value: string) => boolean | 'timeout';

/** The pattern as a whole-value match, or the reason it is not a valid one. */
export function compilePattern(pattern: string): RegExp | string {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (e) {
    return (e as Error).message;
  }
}

let guarded: PatternTest | null = null;

/**
 * Sets the test {@link patternMatches} runs. A user's pattern may backtrack without end, so it runs
 * only under a time limit, which this browser-safe module cannot set: `@cronfleet/shared`'s Node
 * entry installs node:vm's as it loads (vm-pattern-test.ts), and so guards every schema and check
 * that matches a param. A browser that wants to check patterns itself gives one here.
 */
export function usePatternTest(test: PatternTest): void {
  guarded = test;
}

/**
 * Whether `value` matches `pattern` as a whole; `timeout` after {@link PATTERN_TIMEOUT_MS}, by the
 * test {@link usePatternTest} installed. Without one it throws rather than run a pattern unguarded.
 */
export const patternMatches: PatternTest = (pattern, value) => {
  if (!guarded) throw new Error('no pattern test with a time limit is installed: load @cronfleet/shared (its Node entry installs one), or give one to usePatternTest');
  return guarded(pattern, value);
};

const encoder = new TextEncoder();

/** How many bytes `text` takes in UTF-8 (a lone surrogate as U+FFFD, as Node's Buffer counts it). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

/** What is wrong with `value` for `param` (without the `params.<NAME>: ` prefix), or null. */
export function valueProblem(param: Pick<JobParam, 'pattern' | 'enum'>, value: string, test: PatternTest = patternMatches): string | null {
  const bytes = utf8Bytes(value);
  if (bytes > MAX_PARAM_VALUE_BYTES) return `must be at most ${MAX_PARAM_VALUE_BYTES} bytes (got ${bytes})`;
  // execve cannot carry a NUL inside an environment value.
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (param.enum && !param.enum.includes(value)) return `must be one of ${param.enum.join(', ')}`;
  if (param.pattern !== undefined) {
    const m = test(param.pattern, value);
    if (m === 'timeout') return `matching the pattern ${param.pattern} took more than ${PATTERN_TIMEOUT_MS} ms; give a shorter value or ask an admin to simplify the pattern`;
    if (!m) return `must match the pattern ${param.pattern}`;
  }
  return null;
}

/**
 * The values of one run: `given` checked against what the job declares (no unknown names, every
 * required one present, each value fits its pattern or enum), defaults filled in for the rest. A
 * param with neither a given value nor a default is left out (its variable is not set). `job`: how
 * messages name the job (`this job`, `this workflow`, or `cron job 'load'` where another job gives the values).
 */
export function resolveParams(declared: readonly JobParam[], given: Readonly<Record<string, string>>, test: PatternTest = patternMatches, job = 'this job'): ResolvedParams {
  const problems: string[] = [];
  const names = new Set(declared.map((p) => p.name));
  for (const name of Object.keys(given)) {
    if (!names.has(name)) problems.push(`params.${name}: not a parameter of ${job} (${declared.length ? `it has ${declared.map((p) => p.name).join(', ')}` : 'it declares none'})`);
  }
  const values: Record<string, string> = {};
  for (const p of declared) {
    const value = Object.prototype.hasOwnProperty.call(given, p.name) ? given[p.name] : p.default;
    if (value === undefined) {
      if (p.required) problems.push(`params.${p.name}: required${p.enum ? ` (one of ${p.enum.join(', ')})` : ''}`);
      continue;
    }
    if (typeof value !== 'string') {
      problems.push(`params.${p.name}: must be a string`);
      continue;
    }
    const problem = valueProblem(p, value, test);
    if (problem) problems.push(`params.${p.name}: ${problem}`);
    else values[p.name] = value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
}

/** The environment a run's values become: `CRONFLEET_PARAM_<NAME>` each. */
export function paramEnv(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PARAM_ENV_PREFIX}${k}`, v]));
}

/** The values a run that gives none gets (scheduled runs): the defaults, params without one left out. */
export function defaultParams(declared: readonly JobParam[] | null | undefined): Record<string, string> {
  return Object.fromEntries((declared ?? []).filter((p) => p.default !== undefined).map((p) => [p.name, p.default!]));
}

/**
 * What keeps a job's params from fitting the rest of it, naming the field, or null: an enabled job's
 * required params need defaults (a scheduled run gives only defaults), and no env of
 * the job may set a CRONFLEET_PARAM_<NAME> of a declared param (spec env and secrets go over the
 * params in the task's environment, and would hide the run's value).
 */
export function paramsFitProblem(job: {
  params: readonly JobParam[] | null;
  enabled: boolean;
  env: Readonly<Record<string, string>> | null;
  spec: Readonly<Record<string, unknown>>;
  secretEnvKeys: readonly string[] | null;
}): string | null {
  const params = job.params ?? [];
  const i = job.enabled ? params.findIndex((p) => p.required && p.default === undefined) : -1;
  if (i >= 0) {
    return `params.${i}.default: ${params[i].name} is required and has no default, but the job is enabled and a scheduled run gives only defaults; give it a default, or save the job with enabled: false and start it with run now`;
  }
  return paramEnvClash(params, [
    ['env', Object.keys(job.env ?? {})],
    ['spec.env', specEnvKeys(job.spec)],
    ['secretEnv', job.secretEnvKeys ?? []],
  ]);
}

/** The variable names a runner spec's own `env` sets (none when it has no such object). */
export function specEnvKeys(spec: Readonly<Record<string, unknown>>): string[] {
  const env = spec.env;
  return env && typeof env === 'object' && !Array.isArray(env) ? Object.keys(env) : [];
}

/**
 * Where one of `envs` (field path, variable names) sets the CRONFLEET_PARAM_<NAME> of a declared
 * param, naming the field, or null. A job's or workflow's own env would hide or fight the run's value.
 */
export function paramEnvClash(params: readonly JobParam[], envs: readonly (readonly [string, readonly string[]])[]): string | null {
  for (const p of params) {
    const name = `${PARAM_ENV_PREFIX}${p.name}`;
    const where = envs.find(([, keys]) => keys.includes(name));
    if (where) return `${where[0]}.${name}: the param ${p.name} sets this variable on every run; remove it from ${where[0]}`;
  }
  return null;
}
