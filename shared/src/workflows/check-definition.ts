import type { z } from 'zod';
import { checkSpec } from '../api/runner-spec';
import { StepSchema, WorkflowBodySchema, type WorkflowDefinition, type WorkflowStep } from '../api/workflow-definition';
import { DefinitionError, isDefinitionError } from '../jobfiles/definition-error';
import { InvalidScheduleError, parseSchedule, scheduleToString } from '../scheduling/schedule';
import { isKnownTimeZone } from '../scheduling/time-zone';
import { checkSteps } from './steps-check';
import { workflowParamsFitProblem } from './workflow-params';

/**
 * Checks a workflow definition as a whole and returns it as it is stored, or throws a
 * {@link DefinitionError} (`invalid`, or `invalid-schedule` when the schedule or time zone is all that
 * is wrong) whose message names every problem, each by the field as the definition writes it:
 * `steps[2].dependsOn[0]: no step has the id 'x'`, `steps[0].dependsOn: steps form a cycle: a → b →
 * a`, `steps[1].spec.url: ...`, `schedule '61 * * * *': ...`. Used by the API (before anything is
 * stored: a 400) and by `cronfleet workflows apply` (before anything is sent), so both say the same.
 */
export function checkDefinition(value: unknown): WorkflowDefinition {
  const parsed = WorkflowBodySchema.safeParse(value ?? {});
  if (!parsed.success) throw invalid(describe(parsed.error));
  const body = parsed.data;
  // Every problem at once, as zod reports them: the schedule's, each step's, then the graph's.
  const problems: string[] = [];
  let scheduleProblem = false;
  let schedule: string | null = null;
  if (!isKnownTimeZone(body.timezone)) {
    problems.push(`timezone '${body.timezone}': not a known IANA time zone (e.g. 'UTC', 'Europe/Berlin')`);
    scheduleProblem = true;
  } else if (body.schedule !== null) {
    try {
      parseSchedule(body.schedule, body.timezone);
      schedule = scheduleToString(body.schedule);
    } catch (e) {
      if (!(e instanceof InvalidScheduleError)) throw e;
      problems.push(e.message);
      scheduleProblem = true;
    }
  }
  const steps: WorkflowStep[] = [];
  body.steps.forEach((s, i) => {
    try {
      steps.push(checkStep(s, `steps[${i}]`));
    } catch (e) {
      if (!isDefinitionError(e)) throw e;
      problems.push(e.message);
    }
  });
  for (const p of checkSteps(body.steps)) problems.push(`steps[${p.index}].${p.field}${p.item === undefined ? '' : `[${p.item}]`}: ${p.message}`);
  // Only over steps that all passed: `steps` is indexed as the body's only then.
  const paramsProblem = steps.length === body.steps.length ? workflowParamsFitProblem({ params: body.params, scheduled: schedule !== null && body.enabled, steps }) : null;
  if (paramsProblem) problems.push(paramsProblem);
  if (problems.length) throw new DefinitionError(scheduleProblem && problems.length === 1 ? 'invalid-schedule' : 'invalid', problems.join('; '));
  return { name: body.name, ...(body.namespace !== undefined ? { namespace: body.namespace } : {}), description: body.description, schedule, timezone: body.timezone, enabled: body.enabled, params: body.params, steps };
}

function checkStep(s: z.output<typeof StepSchema>, at: string): WorkflowStep {
  const { runner, spec, group, succeedWhen, maxParallel, ...common } = s;
  if (!group) {
    if (succeedWhen !== undefined) throw invalid(`${at}.succeedWhen: only a group step has it`);
    if (maxParallel !== undefined) throw invalid(`${at}.maxParallel: only a group step has it`);
    if (runner === undefined || spec === undefined) throw invalid(`${at}: give runner and spec (one task), or group (several)`);
    return { ...common, runner, spec: specOf(runner, spec, at) };
  }
  if (runner !== undefined || spec !== undefined) throw invalid(`${at}.${runner !== undefined ? 'runner' : 'spec'}: a group step gives its runner and spec in group (forEach) or in each of group.items`);
  let members: Extract<WorkflowStep, { group: unknown }>['group'];
  if (group.items && group.forEach) throw invalid(`${at}.group: give items or forEach, not both`);
  if (group.items) {
    if (group.runner !== undefined || group.spec !== undefined) throw invalid(`${at}.group.${group.runner !== undefined ? 'runner' : 'spec'}: with items, each item has its own runner and spec`);
    members = { items: group.items.map((m, i) => ({ runner: m.runner, spec: specOf(m.runner, m.spec, `${at}.group.items[${i}]`) })) };
  } else if (group.forEach) {
    if (group.runner === undefined || group.spec === undefined) throw invalid(`${at}.group.${group.runner === undefined ? 'runner' : 'spec'}: required with forEach: every input runs this runner and spec`);
    members = { forEach: group.forEach, runner: group.runner, spec: specOf(group.runner, group.spec, `${at}.group`) };
  } else {
    throw invalid(`${at}.group: give items (a list of { runner, spec }) or forEach (a list of inputs) with runner and spec`);
  }
  const size = 'items' in members ? members.items.length : members.forEach.length;
  const when = succeedWhen ?? 'all';
  if (typeof when === 'object' && when.atLeast > size) throw invalid(`${at}.succeedWhen.atLeast: ${when.atLeast} is more than the ${size} member(s) of the group`);
  return { ...common, group: members, succeedWhen: when, maxParallel: maxParallel ?? null };
}

/** The runner's own check, its field names under the step's path. */
function specOf(runner: string, spec: Record<string, unknown>, at: string): Record<string, unknown> {
  const r = checkSpec(runner, spec);
  if (!r.ok) throw invalid(r.message.split('; ').map((m) => `${at}.${m}`).join('; '));
  return r.spec;
}

/** Zod's issues with paths as the definition writes them: `steps[2].retry.maxRetries`. */
function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = pathOf(i.path);
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown field`).join('; ');
      return `${path || 'body'}: ${i.message}`;
    })
    .join('; ');
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function invalid(message: string): DefinitionError {
  return new DefinitionError('invalid', message);
}
