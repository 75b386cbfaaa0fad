import { TRIGGER_LISTS, type Triggers } from './triggers';
import { type JobParam, patternMatches, type PatternTest, resolveParams } from './job-params';

/**
 * What is wrong with the values `triggers` give their targets, checked against the params each
 * target declares now: one `triggers.<list>.<index>.params.<NAME>: …` per problem (an unknown
 * name, a value its pattern or enum refuses, a required param given no value and without a default).
 *
 * Only entries written `{ job, params? }` are checked: a plain name means "the target's defaults",
 * as it always did, and a target whose required param has no default is reported when the chain
 * fires, not refused here. Targets missing from `declared` (unknown jobs, or the job itself) are
 * left to the caller, which refuses them with their own message.
 */
export function triggerParamsProblems(triggers: Triggers | null, declared: ReadonlyMap<string, readonly JobParam[]>, test: PatternTest = patternMatches): string[] {
  const problems: string[] = [];
  for (const list of TRIGGER_LISTS) {
    (triggers?.[list] ?? []).forEach((entry, i) => {
      if (typeof entry === 'string') return;
      const params = declared.get(entry.job);
      if (params === undefined) return;
      const resolved = resolveParams(params, entry.params ?? {}, test, `cron job '${entry.job}'`);
      if (!resolved.ok) problems.push(...resolved.problems.map((p) => `triggers.${list}.${i}.${p}`));
    });
  }
  return problems;
}
