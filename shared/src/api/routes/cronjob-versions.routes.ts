import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { CronJobIdParamSchema } from '../cronjobs';
import { ListVersionsQuerySchema, VersionParamSchema, VersionsByNameQuerySchema } from '../versions';
import { CronJobVersionSchema, CronJobVersionSummarySchema, CronJobViewSchema } from '../views';
import { NO_JOB, pageOf } from './common';

const NO_VERSION = 'no cron job with this id (CronJobNotFound), or it has no such version (CronJobVersionNotFound)';
const params = z.object({ id: CronJobIdParamSchema, version: VersionParamSchema });

/** `/cronjobs/:id/versions`: a cron job's versions, one with its definition, a rollback to one. */
export const CRONJOB_VERSION_ROUTES = {
  list: defineRoute({
    method: 'GET',
    path: '/cronjobs/:id/versions',
    access: 'viewer',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: "A cron job's versions, newest first",
    description: 'One per create, change (pause and resume included), rollback and delete: who, when, what changed. Also for a deleted job. `limit` per page (default 20), `cursor` the previous page\'s `nextCursor`.',
    params: z.object({ id: CronJobIdParamSchema }),
    query: ListVersionsQuerySchema,
    status: 200,
    result: pageOf(CronJobVersionSummarySchema),
    resultDescription: 'one page',
    errors: { 404: NO_JOB },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/cronjobs/:id/versions/:version',
    access: 'viewer',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: 'One version of a cron job, with its whole definition',
    params,
    status: 200,
    result: CronJobVersionSchema,
    resultDescription: 'the version',
    errors: { 404: NO_VERSION },
  }),
  rollback: defineRoute({
    method: 'POST',
    path: '/cronjobs/:id/versions/:version/rollback',
    // Changes the job's definition, as PATCH does.
    access: 'admin',
    scope: resource('cronjob'),
    tag: 'cronjobs',
    summary: "Write an older version's definition again, as a new version",
    description:
      "Through the checks of an update: a definition whose triggers name a job deleted since, or that no longer passes today's checks, is refused naming the field. Secret values and webhook headers are those of that version; the pause state stays as it is. " +
      '`version` is the new version, null when the job already had that definition.',
    params,
    status: 200,
    result: z.object({ cronjob: CronJobViewSchema, version: CronJobVersionSummarySchema.nullable() }),
    resultDescription: 'the job as it is now, and the version written',
    errors: { 404: NO_VERSION, 409: 'another cron job has the name of that version (CronJobNameTaken)' },
  }),
};

/** One job found by name in its versions (`GET /cronjob-versions?name=`), deleted or not, with its latest version. */
export const NamedJobSchema = z.object({
  cronjobId: z.number().int(),
  name: z.string().nullable(),
  namespace: z.string().nullable(),
  deleted: z.boolean(),
  version: z.number().int(),
  at: z.string(),
});
export type NamedJob = z.output<typeof NamedJobSchema>;

/** `/cronjob-versions`: cron jobs by name in their versions, how a deleted job's versions are found without its id. */
export const CRONJOB_VERSIONS_BY_NAME_ROUTES = {
  list: defineRoute({
    method: 'GET',
    path: '/cronjob-versions',
    access: 'viewer',
    scope: 'scoped',
    tag: 'cronjobs',
    summary: 'Cron jobs by name in their versions, deleted ones included',
    description:
      "The jobs whose latest version is named `name` (in `namespace` when given), each with its latest version, newest first: a deleted job's is its deletion " +
      '(`deleted: true`), and its versions can then be read with `GET /cronjobs/{id}/versions` although the job is gone. `namespace` is null for a job deleted ' +
      'before versions recorded it; a token scoped to a namespace sees only its own. `limit` 1-100 (default 20).',
    query: VersionsByNameQuerySchema,
    status: 200,
    result: z.object({ items: z.array(NamedJobSchema) }),
    resultDescription: 'the jobs found, newest first',
  }),
};
