import { z } from 'zod';
import { fromDecimal } from '../../common/decimal';
import { NamespaceFilterSchema } from '../../namespaces/dto/namespace.dto';
import type { CronJobVersionEntity } from '../versions/cronjob-version.entity';
import { toDefinitionView } from '../versions/job-definition';

export const VersionParamSchema = fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive'));

/** `GET /cronjobs/:id/versions` query: newest first, `limit` per page, `cursor` the previous page's `nextCursor`. */
export const ListVersionsQuerySchema = z
  .object({
    limit: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100')).default(20),
    cursor: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive')).optional(),
  })
  .strict();
export type ListVersionsQuery = z.infer<typeof ListVersionsQuerySchema>;

/**
 * `GET /cronjob-versions?name=` query: the jobs, deleted ones included, whose latest version has this
 * name (in `namespace` when given), newest first, at most `limit`.
 */
export const VersionsByNameQuerySchema = z
  .object({
    name: z.string({ error: 'required: the cron job name to look for' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    namespace: NamespaceFilterSchema,
    limit: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100')).default(20),
  })
  .strict();
export type VersionsByNameQuery = z.infer<typeof VersionsByNameQuerySchema>;

/** A job found by name in its versions: its id, where it is (or was), and its latest version. */
export function toNamedJob(v: Pick<CronJobVersionEntity, 'cronjobId' | 'name' | 'namespace' | 'version' | 'kind' | 'at'>) {
  return {
    cronjobId: v.cronjobId,
    name: v.name,
    /** Null for a job deleted before versions recorded their namespace. */
    namespace: v.namespace,
    /** Its latest version is its deletion: its versions are all that is left of it. */
    deleted: v.kind === 'deleted',
    version: v.version,
    at: v.at.toISOString(),
  };
}
export type NamedJob = ReturnType<typeof toNamedJob>;

/** A version without its definition: what a list shows. */
export function toVersionSummary(v: Omit<CronJobVersionEntity, 'id' | 'definition'>) {
  return {
    cronjobId: v.cronjobId,
    version: v.version,
    kind: v.kind,
    rolledBackFrom: v.rolledBackFrom,
    actor: v.actor,
    role: v.role,
    tokenId: v.tokenId,
    at: v.at.toISOString(),
    changes: v.changes,
  };
}
export type VersionSummary = ReturnType<typeof toVersionSummary>;

/** A version with the job's whole definition at it, secret values left out (names only). */
export function toVersionView(v: Omit<CronJobVersionEntity, 'id'>) {
  return { ...toVersionSummary(v), definition: toDefinitionView(v.definition) };
}
export type VersionView = ReturnType<typeof toVersionView>;
