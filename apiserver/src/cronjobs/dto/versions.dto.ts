import { z } from 'zod';
import { fromDecimal } from '../../common/decimal';
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
