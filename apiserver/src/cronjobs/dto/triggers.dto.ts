import { z } from 'zod';
import { topologicalOrder } from '../../workflows/core/graph';

const jobNames = z
  .array(z.string({ error: 'must be a cron job name' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'), { error: 'must be a list of cron job names' })
  .max(20, 'must name at most 20 cron jobs')
  .refine((a) => new Set(a).size === a.length, 'names a cron job twice');

/**
 * `triggers`: the cron jobs this one starts when one of its tasks has ended for good (after its
 * last retry): `onSuccess`, `onFailure` (failed, timed out, lost, killed) and `onComplete` (either).
 * The started task gets the result of this one as environment (see workflows/core/chain-result.ts).
 * Cycles across jobs are refused when saved.
 */
export const TriggersSchema = z
  .object({
    onSuccess: jobNames.optional(),
    onFailure: jobNames.optional(),
    onComplete: jobNames.optional(),
  }, { error: 'must be an object with onSuccess, onFailure and onComplete lists of cron job names' })
  .strict();
export type Triggers = z.infer<typeof TriggersSchema>;

/** Every job `t` names, once. */
export function triggerTargets(t: Triggers | null | undefined): string[] {
  if (!t) return [];
  return [...new Set([...(t.onSuccess ?? []), ...(t.onFailure ?? []), ...(t.onComplete ?? [])])];
}

/** The jobs to start after a task of the job ended for good with `outcome`. */
export function targetsFor(t: Triggers | null | undefined, outcome: 'success' | 'failure'): string[] {
  if (!t) return [];
  return [...new Set([...(outcome === 'success' ? (t.onSuccess ?? []) : (t.onFailure ?? [])), ...(t.onComplete ?? [])])];
}

/** Empty lists dropped; null when nothing is left. */
export function normalizeTriggers(t: Triggers | null | undefined): Triggers | null {
  if (!t) return null;
  const out: Triggers = {};
  for (const k of ['onSuccess', 'onFailure', 'onComplete'] as const) if (t[k]?.length) out[k] = t[k];
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
