import { AnyRunnerNameSchema, EnvSchema } from '../protocol/runners';
import { z } from 'zod';
import { NamespaceFieldSchema } from './namespaces';
import { NameSchema } from './cronjobs';
import { ParamsSchema } from './params';
import { RetryPolicySchema, WorkerSelectorSchema } from './policies';
import type { JobParam } from './job-params';

/** Step ids go into idempotency keys (`wf:<run>:<step>:<attempt>`) and environment values: no colons, no spaces. */
export const STEP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_STEPS = 200;
export const MAX_GROUP_MEMBERS = 1000;

const stepId = z
  .string({ error: 'must be a step id' })
  .regex(STEP_ID_PATTERN, 'must be 1-64 letters, digits, _, . or -, starting with a letter or digit');

const spec = z.record(z.string(), z.unknown(), { error: 'must be an object' });
const count = (max: number) => z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

/** A group step's members: `items` (a list of `{ runner, spec }`), or `forEach` (inputs) with one `runner` and `spec`. */
export const GroupSchema = z
  .object(
    {
      items: z
        .array(z.object({ runner: AnyRunnerNameSchema, spec }).strict(), { error: 'must be a list of { runner, spec }' })
        .min(1, 'must list at least one member')
        .max(MAX_GROUP_MEMBERS, `must list at most ${MAX_GROUP_MEMBERS} members`)
        .optional(),
      /** One member per input, given to it as CRONFLEET_ITEM (and its index as CRONFLEET_ITEM_INDEX). */
      forEach: z
        .array(z.union([z.string().max(4096, 'must be at most 4096 characters'), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }), { error: 'must be a list of inputs' })
        .min(1, 'must list at least one input')
        .max(MAX_GROUP_MEMBERS, `must list at most ${MAX_GROUP_MEMBERS} inputs`)
        .optional(),
      runner: AnyRunnerNameSchema.optional(),
      spec: spec.optional(),
    },
    { error: 'must be an object with items, or forEach with runner and spec' },
  )
  .strict();

/** `all` (default), `any`, or `{ atLeast: K }` members must succeed. */
export const SucceedWhenSchema = z.union([z.enum(['all', 'any']), z.object({ atLeast: count(MAX_GROUP_MEMBERS) }).strict()], {
  error: "must be 'all', 'any' or { atLeast: K }",
});

/**
 * One step: a task (`runner` and `spec`) or a group of tasks (`group`, with `succeedWhen` and
 * `maxParallel`). Which of the two it is, and that the spec fits the runner, is checked by
 * checkDefinition, so that the message can say what to give instead.
 */
export const StepSchema = z
  .object(
    {
      id: stepId,
      dependsOn: z.array(stepId, { error: 'must be a list of step ids' }).max(MAX_STEPS, `must list at most ${MAX_STEPS} steps`).default([]),
      /** When it runs once its upstream steps ended: `success` (default: all succeeded), `failure` (one failed), `always`. */
      when: z.enum(['success', 'failure', 'always'], { error: "must be 'success', 'failure' or 'always'" }).default('success'),
      runner: AnyRunnerNameSchema.optional(),
      spec: spec.optional(),
      group: GroupSchema.optional(),
      succeedWhen: SucceedWhenSchema.optional(),
      /** Most members of a group running at once; null (default): all. */
      maxParallel: count(MAX_GROUP_MEMBERS).nullable().optional(),
      /** Retries of a failed, timed-out or lost attempt (of each member, for a group); null: none. */
      retry: RetryPolicySchema.nullable().default(null),
      timeoutSeconds: z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(1, 'must be at least 1').max(604_800, 'must be at most 604800 (7 days)').nullable().default(null),
      workerSelector: WorkerSelectorSchema.nullable().default(null),
      /** Environment of the step's tasks, under the spec's own `env`. */
      env: EnvSchema.default({}),
    },
    { error: 'must be an object with id and runner and spec, or id and group' },
  )
  .strict();

/** Body of `POST /workflows` and `PUT /workflows/:idOrName`, and one workflow of a file for `cronfleet workflows apply`. */
export const WorkflowBodySchema = z
  .object({
    name: NameSchema,
    namespace: NamespaceFieldSchema,
    description: z.string({ error: 'must be a string' }).max(2000, 'must be at most 2000 characters').nullable().default(null),
    /** Like a cron job's: 5- or 6-field cron, `@daily`, `@every 30s`, `@at <ISO>`; null (default): run on demand only. */
    schedule: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters').nullable().default(null),
    timezone: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').default('UTC'),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /**
     * What a run may set, declared and checked as a cron job's params: each step and group member
     * task of a run gets CRONFLEET_PARAM_<NAME> for each (the run's value, else the default).
     */
    params: ParamsSchema.default([]),
    steps: z.array(StepSchema, { error: 'must be a list of steps' }).min(1, 'must list at least one step').max(MAX_STEPS, `must list at most ${MAX_STEPS} steps`),
  })
  .strict();

export type SucceedWhen = z.infer<typeof SucceedWhenSchema>;

interface StepCommon {
  id: string;
  dependsOn: string[];
  when: 'success' | 'failure' | 'always';
  retry: z.output<typeof RetryPolicySchema> | null;
  timeoutSeconds: number | null;
  workerSelector: z.output<typeof WorkerSelectorSchema> | null;
  env: Record<string, string>;
}

/** A checked step as stored and shown: defaults filled in, specs as the runner's schema reads them. */
export type WorkflowStep =
  | (StepCommon & { runner: string; spec: Record<string, unknown> })
  | (StepCommon & {
      group: { items: { runner: string; spec: Record<string, unknown> }[] } | { forEach: (string | number | boolean)[]; runner: string; spec: Record<string, unknown> };
      succeedWhen: SucceedWhen;
      maxParallel: number | null;
    });

/** A checked workflow: what is stored (schedule as its stored text). */
export interface WorkflowDefinition {
  name: string;
  /** As given in the body: the namespace is decided from it and the caller's token (namespaces/scope.ts). */
  namespace?: string;
  description: string | null;
  schedule: string | null;
  timezone: string;
  enabled: boolean;
  /** What a run may set (cronjobs/params/job-params.ts); [] when none. */
  params: JobParam[];
  steps: WorkflowStep[];
}

export function isGroupStep(s: WorkflowStep): s is Extract<WorkflowStep, { group: unknown }> {
  return 'group' in s;
}

/** How many tasks a step fans out to (1 for a one-task step). */
export function memberCount(s: WorkflowStep): number {
  if (!isGroupStep(s)) return 1;
  return 'items' in s.group ? s.group.items.length : s.group.forEach.length;
}

/** What member `item` of a step runs (item null: a one-task step). */
export function memberTask(s: WorkflowStep, item: number | null): { runner: string; spec: Record<string, unknown>; input: string | null } {
  if (!isGroupStep(s)) return { runner: s.runner, spec: s.spec, input: null };
  if ('items' in s.group) return { ...s.group.items[item ?? 0], input: null };
  const v = s.group.forEach[item ?? 0];
  return { runner: s.group.runner, spec: s.group.spec, input: String(v) };
}
