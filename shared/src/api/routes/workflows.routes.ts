import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { NamespaceQuerySchema } from '../namespaces';
import { WorkflowBodySchema } from '../workflow-definition';
import { ListRunsOfQuerySchema, ListWorkflowsQuerySchema, RunSummarySchema, RunViewSchema, RunWorkflowSchema, WorkflowRefSchema, WorkflowViewSchema } from '../workflows';
import { cursorPageOf, pageOf } from './common';

const NO_WORKFLOW = 'no workflow with this id or name (WorkflowNotFound)';
const params = z.object({ idOrName: WorkflowRefSchema });

/**
 * `/workflows`: DAG workflows of steps. A workflow named (not by id) is looked up in `?namespace=`,
 * else the token's namespace, else `default`.
 */
export const WORKFLOW_ROUTES = {
  create: defineRoute({
    method: 'POST',
    path: '/workflows',
    // A workflow's steps carry their own commands: defining them is an admin's, as for cron jobs.
    access: 'admin',
    scope: 'scoped',
    tag: 'workflows',
    summary: 'Create a workflow',
    description:
      'Steps with `id`, `runner` and `spec` (one task) or `group` (`items`: `[{ runner, spec }]`, or `forEach` inputs with one `runner` and `spec`; with `succeedWhen` all, any or `{ atLeast: K }` and `maxParallel`), ' +
      '`dependsOn`, `when` (success, failure, always), `retry`, `timeoutSeconds`, `workerSelector`, `env`; an optional `schedule` in `timezone`; ' +
      "`params`, declared and checked as a cron job's (what a run may set, given to every task of a run as CRONFLEET_PARAM_<NAME>; a scheduled, enabled workflow's required params need a default; no step's `env` or spec `env` may set a declared param's variable). " +
      "Unknown dependencies, duplicate ids, cycles (named: `a → b → a`) and specs that do not fit their runner are refused naming the field (`steps[2].dependsOn[0]: no step has the id 'x'`).",
    body: WorkflowBodySchema,
    status: 201,
    result: WorkflowViewSchema,
    resultDescription: 'created, with its nextRunAt',
    errors: { 409: 'a workflow with this name exists (WorkflowNameTaken)' },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/workflows',
    access: 'viewer',
    scope: 'scoped',
    tag: 'workflows',
    summary: 'List workflows',
    description: 'By id. Without `limit` every workflow; with it one page, and `nextCursor` (pass as `cursor`) while more may follow. `q` matches part of the name in any case.',
    query: ListWorkflowsQuerySchema,
    status: 200,
    result: pageOf(WorkflowViewSchema),
    resultDescription: 'workflows',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/workflows/:idOrName',
    access: 'viewer',
    scope: resource('workflow', 'idOrName'),
    tag: 'workflows',
    summary: 'Read a workflow by id or name',
    params,
    query: NamespaceQuerySchema,
    status: 200,
    result: WorkflowViewSchema,
    resultDescription: 'the workflow',
    errors: { 404: NO_WORKFLOW },
  }),
  replace: defineRoute({
    method: 'PUT',
    path: '/workflows/:idOrName',
    // Replaces the steps, and so their commands: as POST /workflows.
    access: 'admin',
    scope: resource('workflow', 'idOrName'),
    tag: 'workflows',
    summary: 'Replace a workflow',
    description: 'The whole definition, as for create (the name may change). Runs under way keep the steps they started with; a changed schedule counts from now.',
    params,
    query: NamespaceQuerySchema,
    body: WorkflowBodySchema,
    status: 200,
    result: WorkflowViewSchema,
    resultDescription: 'the workflow as stored now',
    errors: { 404: NO_WORKFLOW, 409: 'another workflow has this name (WorkflowNameTaken)' },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/workflows/:idOrName',
    // As POST /workflows: the definition is an admin's.
    access: 'admin',
    scope: resource('workflow', 'idOrName'),
    tag: 'workflows',
    summary: 'Delete a workflow with its runs and their tasks',
    params,
    query: NamespaceQuerySchema,
    status: 204,
    resultDescription: 'deleted',
    errors: { 404: NO_WORKFLOW, 409: 'a run of it is running (WorkflowBusy): kill it first' },
  }),
  run: defineRoute({
    method: 'POST',
    path: '/workflows/:idOrName/runs',
    access: 'operator',
    scope: resource('workflow', 'idOrName'),
    tag: 'workflows',
    summary: 'Run a workflow now',
    description:
      "Also when it is disabled. Answers once its first steps are started, with the run. `params`: values of the workflow's declared params (any role that may run), " +
      'checked as for a cron job\'s run now (a 400 names the param: unknown, required, not one of the enum, not matching the pattern; nothing starts), defaults filled in, ' +
      'kept on the run (`params` of the run view) and given to every task of the run (each step, group member and retry) as environment CRONFLEET_PARAM_<NAME>.',
    params,
    query: NamespaceQuerySchema,
    body: RunWorkflowSchema,
    status: 202,
    result: RunViewSchema,
    resultDescription: 'the run',
    errors: { 404: NO_WORKFLOW },
  }),
  runs: defineRoute({
    method: 'GET',
    path: '/workflows/:idOrName/runs',
    access: 'viewer',
    scope: resource('workflow', 'idOrName'),
    tag: 'workflows',
    summary: "A workflow's runs, newest first",
    params,
    query: ListRunsOfQuerySchema,
    status: 200,
    result: cursorPageOf(RunSummarySchema),
    resultDescription: 'one page',
    errors: { 404: NO_WORKFLOW },
  }),
};
