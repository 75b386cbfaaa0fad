import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { CreateCronJobSchema, CronJobIdParamSchema, ListCronJobsQuerySchema, TimelineQuerySchema, UpdateCronJobSchema } from '../cronjobs';
import { RunNowSchema } from '../policies';
import { CountQuerySchema } from '../schedules';
import { CronJobViewSchema, NextRunsSchema, TaskIdSchema, TimelineSchema } from '../views';
import { NO_JOB, pageOf } from './common';

const params = z.object({ id: CronJobIdParamSchema });

/** `/cronjobs`: cron jobs, their schedules and runs now. Members are the handlers of CronJobsController. */
export const CRONJOB_ROUTES = {
  create: defineRoute({
    method: 'POST',
    path: '/cronjobs',
    access: 'admin',
    scope: 'scoped',
    tag: 'cronjobs',
    summary: 'Create a cron job',
    description:
      "`spec` is checked against the runner's schema and `schedule` parsed in `timezone`; an expression that can never fire is refused. " +
      'A `runner` other than the built-ins (command, script, docker, http) is a plugin runner: its `spec` is checked here only as a JSON object ' +
      '(at most 64 KiB, 32 levels), and by the plugin on the worker; the job is saved even when no worker offers the runner yet, and its tasks wait ' +
      "(pendingReason `no online worker supports runner '<name>'`) until one does.",
    body: CreateCronJobSchema,
    status: 201,
    result: CronJobViewSchema,
    resultDescription: 'created, with its nextRunAt',
    errors: { 409: 'a cron job with this name exists (CronJobNameTaken)' },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/cronjobs',
    access: 'viewer',
    scope: 'scoped',
    tag: 'cronjobs',
    summary: 'List cron jobs',
    description: 'By id. Without `limit` every cron job; with it one page, and `nextCursor` (pass as `cursor`) while more may follow. `q` matches part of the name in any case.',
    query: ListCronJobsQuerySchema,
    status: 200,
    result: pageOf(CronJobViewSchema),
    resultDescription: 'cron jobs',
  }),
  timeline: defineRoute({
    method: 'GET',
    path: '/cronjobs/timeline',
    access: 'viewer',
    scope: 'scoped',
    tag: 'cronjobs',
    summary: 'Latest runs of several cron jobs',
    description: 'For each of `ids` (at most 100) its latest `limit` tasks by due time, newest first: the success/failure strips of the dashboard.',
    query: TimelineQuerySchema,
    status: 200,
    result: TimelineSchema,
    resultDescription: 'runs per cron job',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/cronjobs/:id',
    access: 'viewer',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Read a cron job',
    params,
    status: 200,
    result: CronJobViewSchema,
    resultDescription: 'the cron job',
    errors: { 404: NO_JOB },
  }),
  update: defineRoute({
    method: 'PATCH',
    path: '/cronjobs/:id',
    access: 'admin',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Change a cron job',
    description: 'Any subset of the create fields; `secretEnv` replaces all secret variables (null removes them).',
    params,
    body: UpdateCronJobSchema,
    status: 200,
    result: CronJobViewSchema,
    resultDescription: 'the changed cron job',
    errors: { 404: NO_JOB, 409: 'another cron job has this name (CronJobNameTaken)' },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/cronjobs/:id',
    access: 'admin',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Delete a cron job and its task history',
    params,
    status: 204,
    resultDescription: 'deleted',
    errors: { 404: NO_JOB },
  }),
  run: defineRoute({
    method: 'POST',
    path: '/cronjobs/:id/run',
    access: 'operator',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Run a cron job now',
    description:
      "Also when it is paused. `params`: values of the job's declared params (any role that may run), checked against them " +
      '(a 400 names the param: unknown, required, not one of the enum, not matching the pattern), defaults filled in, given to the task as ' +
      'environment CRONFLEET_PARAM_<NAME>. `args` and `env` override the spec for this run and need the admin role.',
    params,
    body: RunNowSchema,
    status: 202,
    result: TaskIdSchema,
    resultDescription: 'the task was created',
    errors: { 403: "the token's role is below operator, or `args`/`env` were sent by a token below admin", 404: NO_JOB },
  }),
  pause: defineRoute({
    method: 'POST',
    path: '/cronjobs/:id/pause',
    access: 'operator',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Stop scheduling a cron job',
    params,
    status: 200,
    result: CronJobViewSchema,
    resultDescription: 'the cron job, enabled: false',
    errors: { 404: NO_JOB },
  }),
  resume: defineRoute({
    method: 'POST',
    path: '/cronjobs/:id/resume',
    access: 'operator',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'Schedule a cron job again from now',
    params,
    status: 200,
    result: CronJobViewSchema,
    resultDescription: 'the cron job, enabled: true',
    errors: { 404: NO_JOB },
  }),
  next: defineRoute({
    method: 'GET',
    path: '/cronjobs/:id/next',
    access: 'viewer',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: "A cron job's next due times",
    params,
    query: CountQuerySchema,
    status: 200,
    result: NextRunsSchema,
    resultDescription: 'ISO-8601 instants, soonest first',
    errors: { 404: NO_JOB },
  }),
};
