import { z } from 'zod';
import { topologicalOrder } from '../util/graph';
import { MAX_PARAMS, valueProblem } from './job-params';

/** At most this many entries per trigger list. */
export const MAX_TRIGGERS_PER_LIST = 20;

const jobName = z.string({ error: 'must be a cron job name' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/**
 * One value a trigger gives: a string within a param value's limits. A non-string is refused with
 * a custom issue rather than a type error: a type error would make the entry's union answer only
 * "not a name nor an object", where this names `params.<NAME>`. Documented as a string all the same.
 */
const paramValue = z
  .unknown()
  .superRefine((v, ctx) => {
    const problem = typeof v === 'string' ? valueProblem({}, v) : 'must be a string';
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => v as string)
  .meta({ type: 'string' });

/** A trigger entry that gives the target values for its params: `{ job, params: { NAME: value } }`. */
const TriggerTargetSchema = z
  .object({
    job: jobName,
    /** Values for the target's declared params, checked against them when saved and again when the chain fires; defaults fill the rest. */
    params: z
      .record(z.string(), paramValue, { error: 'must be an object of NAME: value' })
      .refine((o) => Object.keys(o).length <= MAX_PARAMS, `must give at most ${MAX_PARAMS} values`)
      .optional()
      .meta({ description: "values for the job's declared params, given to its task as CRONFLEET_PARAM_<NAME>; checked against them when saved and when the chain fires; defaults fill the rest" }),
  })
  .strict();

/** A job name (the target runs with its params' defaults, as before), or `{ job, params? }`. */
export type TriggerEntry = string | { job: string; params?: Record<string, string> };

const entries = z
  .array(z.union([jobName, TriggerTargetSchema], { error: 'must be a cron job name or { job, params? }' }), { error: 'must be a list of cron job names or { job, params? }' })
  .max(MAX_TRIGGERS_PER_LIST, `must name at most ${MAX_TRIGGERS_PER_LIST} cron jobs`)
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.forEach((e, i) => {
      const job = entryJob(e);
      if (seen.has(job)) ctx.addIssue({ code: 'custom', path: [i], message: `names the cron job '${job}' twice` });
      seen.add(job);
    });
  });

/**
 * `triggers`: the cron jobs this one starts when one of its tasks has ended for good (after its
 * last retry): `onSuccess`, `onFailure` (failed, timed out, lost, killed) and `onComplete` (either).
 * An entry is a job name, or `{ job, params }` to give the target values for its declared params.
 * The started task gets the result of this one as environment (see workflows/core/chain-result.ts).
 * Cycles across jobs are refused when saved.
 */
export const TriggersSchema = z
  .object({
    onSuccess: entries.optional(),
    onFailure: entries.optional(),
    onComplete: entries.optional(),
  }, { error: 'must be an object with onSuccess, onFailure and onComplete lists of cron job names or { job, params? }' })
  .strict();
export type Triggers = z.infer<typeof TriggersSchema>;

export const TRIGGER_LISTS = ['onSuccess', 'onFailure', 'onComplete'] as const;

/** The job an entry names. */
export function entryJob(e: TriggerEntry): string {
  return typeof e === 'string' ? e : e.job;
}

/** One job a chain starts, with the values its entry gives (none for a plain name: the defaults). */
export interface ChainTarget {
  job: string;
  params: Record<string, string>;
}

/** Every job `t` names, once. */
export function triggerTargets(t: Triggers | null | undefined): string[] {
  if (!t) return [];
  return [...new Set(TRIGGER_LISTS.flatMap((k) => (t[k] ?? []).map(entryJob)))];
}

/**
 * The jobs to start after a task of the job ended for good with `outcome`, each once: the outcome's
 * own list first, then `onComplete`; a job in both starts with the values of its entry in the former.
 */
export function targetsFor(t: Triggers | null | undefined, outcome: 'success' | 'failure'): ChainTarget[] {
  if (!t) return [];
  const out = new Map<string, ChainTarget>();
  for (const e of [...((outcome === 'success' ? t.onSuccess : t.onFailure) ?? []), ...(t.onComplete ?? [])]) {
    const job = entryJob(e);
    if (!out.has(job)) out.set(job, { job, params: typeof e === 'string' ? {} : { ...(e.params ?? {}) } });
  }
  return [...out.values()];
}

/** Empty lists dropped; null when nothing is left. */
export function normalizeTriggers(t: Triggers | null | undefined): Triggers | null {
  if (!t) return null;
  const out: Triggers = {};
  for (const k of TRIGGER_LISTS) if (t[k]?.length) out[k] = t[k];
  return Object.keys(out).length ? out : null;
}

/**
 * Job definitions (of one file) ordered so that a job comes after the jobs of the same list its
 * triggers name: creating them in this order, every trigger names a job that exists already. Ties
 * keep the given order; a cycle leaves the order as it is (saving then refuses it, naming it).
 */
export function triggerOrder<T extends { name: string; job: { triggers?: Triggers | null } }>(defs: readonly T[]): T[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  // Edges target -> the job that triggers it: the target first.
  const graph = new Map<string, string[]>(defs.map((d) => [d.name, []]));
  for (const d of defs) for (const t of triggerTargets(d.job.triggers)) if (t !== d.name && byName.has(t)) graph.get(t)!.push(d.name);
  try {
    return topologicalOrder(graph).map((n) => byName.get(n)!);
  } catch {
    return [...defs];
  }
}
