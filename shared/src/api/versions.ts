import { z } from 'zod';
import { fromDecimal } from './decimal';
import { NamespaceFilterSchema } from './namespaces';

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
