import { type JobParam, paramEnvClash, specEnvKeys } from '../api/job-params';
import { isGroupStep, type WorkflowStep } from '../api/workflow-definition';

/**
 * What keeps a workflow's params from fitting the rest of it, naming the field, or null; the
 * workflow form of a cron job's paramsFitProblem. A workflow that runs on its schedule needs a
 * default for each required param (a scheduled run gives only defaults), and no step may set the
 * CRONFLEET_PARAM_<NAME> of a declared param in its `env` or a spec's `env`: the spec's env goes over
 * the run's values in the task's environment and would hide them, and a step's env would fight them.
 */
export function workflowParamsFitProblem(w: { params: readonly JobParam[]; scheduled: boolean; steps: readonly WorkflowStep[] }): string | null {
  const i = w.scheduled ? w.params.findIndex((p) => p.required && p.default === undefined) : -1;
  if (i >= 0) {
    return `params[${i}].default: ${w.params[i].name} is required and has no default, but the workflow runs on its schedule and a scheduled run gives only defaults; give it a default, or save the workflow with enabled: false (or without a schedule) and start it with a run`;
  }
  if (w.params.length === 0) return null;
  const envs: [string, string[]][] = [];
  w.steps.forEach((s, n) => {
    const at = `steps[${n}]`;
    envs.push([`${at}.env`, Object.keys(s.env)]);
    if (!isGroupStep(s)) envs.push([`${at}.spec.env`, specEnvKeys(s.spec)]);
    else if ('items' in s.group) s.group.items.forEach((m, k) => envs.push([`${at}.group.items[${k}].spec.env`, specEnvKeys(m.spec)]));
    else envs.push([`${at}.group.spec.env`, specEnvKeys(s.group.spec)]);
  });
  return paramEnvClash(w.params, envs);
}
