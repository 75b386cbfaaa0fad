import { DEFAULT_NAMESPACE, NamespaceNameSchema } from '../protocol/namespaces';
import { z } from 'zod';

/** Quotas stop at a million: a larger one limits nothing a single cluster could reach. */
const quota = (what: string) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be at least 0')
    .max(1_000_000, 'must be at most 1000000')
    .nullable()
    .meta({ description: `most ${what}; null: no limit` });

const description = z.string({ error: 'must be a string' }).trim().max(500, 'must be at most 500 characters').nullable();

export const CreateNamespaceSchema = z
  .object({
    name: NamespaceNameSchema,
    description: description.default(null),
    maxJobs: quota('cron jobs in the namespace').default(null),
    maxConcurrentTasks: quota('of its tasks running at once (more wait pending)').default(null),
  })
  .strict();
export type CreateNamespace = z.output<typeof CreateNamespaceSchema>;

export const UpdateNamespaceSchema = z
  .object({
    description: description.optional(),
    maxJobs: quota('cron jobs in the namespace').optional(),
    maxConcurrentTasks: quota('of its tasks running at once (more wait pending)').optional(),
  })
  .strict();
export type UpdateNamespace = z.output<typeof UpdateNamespaceSchema>;

/** `?namespace=` of the list routes. */
export const NamespaceFilterSchema = NamespaceNameSchema.optional().meta({
  description: `only this namespace's; absent: every namespace the token may see (a scoped token's own)`,
});

/** The query of a route whose only parameter is `?namespace=` (workers, tokens, a workflow by name). */
export const NamespaceQuerySchema = z.object({ namespace: NamespaceFilterSchema }).strict();

/** Body `namespace` of the create routes. */
export const NamespaceFieldSchema = NamespaceNameSchema.optional().meta({
  description: `the namespace it belongs to, fixed once created; absent: the token's namespace, or '${DEFAULT_NAMESPACE}' for a cluster-wide token`,
});

export interface NamespaceUsage {
  jobs: number;
  workflows: number;
  /** Its tasks running now (or sent to a worker and not yet started). */
  runningTasks: number;
}

export const NamespaceViewSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  maxJobs: z.number().int().nullable(),
  maxConcurrentTasks: z.number().int().nullable(),
  usage: z.object({ jobs: z.number().int(), workflows: z.number().int(), runningTasks: z.number().int() }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type NamespaceView = z.output<typeof NamespaceViewSchema>;
