import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { ListAllRunsQuerySchema, RunIdParamSchema, RunSummarySchema, RunViewSchema, StopRunSchema } from '../workflows';
import { cursorPageOf } from './common';

const NO_RUN = 'no workflow run with this id (WorkflowRunNotFound)';
const params = z.object({ id: RunIdParamSchema });
/** What kill and stop of a run answer. */
const RUN_CONTROL = {
  status: 200,
  result: RunViewSchema,
  resultDescription: 'the run, killed: its running steps ended, the rest skipped',
  errors: {
    404: NO_RUN,
    409: 'the run has already ended (WorkflowRunEnded)',
    504: 'a worker did not confirm in time (WorkerDidNotConfirm); the run is killed all the same',
  },
} as const;

/** `/workflow-runs`: runs of every workflow, one run's steps, and kill, stop and retry of a run. */
export const WORKFLOW_RUN_ROUTES = {
  list: defineRoute({
    method: 'GET',
    path: '/workflow-runs',
    access: 'viewer',
    scope: 'scoped',
    tag: 'workflows',
    summary: 'Workflow runs of every workflow (or of `workflowId`), newest first',
    query: ListAllRunsQuerySchema,
    status: 200,
    result: cursorPageOf(RunSummarySchema),
    resultDescription: 'one page',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/workflow-runs/:id',
    access: 'viewer',
    scope: resource('workflowRun'),
    tag: 'workflows',
    summary: 'A workflow run with the state of each step',
    description: 'Each step with its `dependsOn` and `when` (the edges to draw), its state (waiting, running, success, failed, skipped, cancelled), its tasks (attempts, group members, status, times), and for a group the member counts.',
    params,
    status: 200,
    result: RunViewSchema,
    resultDescription: 'the run',
    errors: { 404: NO_RUN },
  }),
  kill: defineRoute({ method: 'POST', path: '/workflow-runs/:id/kill', access: 'operator', scope: resource('workflowRun'), tag: 'workflows', summary: 'Kill a run: SIGKILL its running steps, skip the rest', params, ...RUN_CONTROL }),
  stop: defineRoute({
    method: 'POST',
    path: '/workflow-runs/:id/stop',
    access: 'operator',
    scope: resource('workflowRun'),
    tag: 'workflows',
    summary: 'Stop a run: SIGTERM its running steps (SIGKILL after the grace), skip the rest',
    params,
    body: StopRunSchema,
    ...RUN_CONTROL,
  }),
  retry: defineRoute({
    method: 'POST',
    path: '/workflow-runs/:id/retry',
    access: 'operator',
    scope: resource('workflowRun'),
    tag: 'workflows',
    summary: 'Run a failed, killed or cancelled run again from its failed steps',
    description: 'Steps that succeeded keep their result and do not run again; the others get new attempts.',
    params,
    status: 202,
    result: RunViewSchema,
    resultDescription: 'the run, running again',
    errors: { 404: NO_RUN, 409: 'the run is running or succeeded (WorkflowRunNotRetryable)' },
  }),
};
