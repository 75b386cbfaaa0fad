import { z } from 'zod';
import { fromDecimal } from './decimal';

/** Most due times one preview answers (`count` of `GET /schedules/preview` and `GET /cronjobs/:id/next`). */
export const MAX_PREVIEW = 100;

const count = () =>
  fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`)).default(5);

/** Query of `GET /cronjobs/:id/next`: how many due times (default 5). */
export const CountQuerySchema = z
  .object({
    count: count(),
  })
  .strict();

/** Query of `GET /schedules/preview`: a schedule tried before it is saved. */
export const PreviewQuerySchema = z
  .object({
    schedule: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(255),
    timezone: z.string().trim().min(1).max(64).default('UTC'),
    from: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    /**
     * Where an `@every` schedule's grid starts: an existing job's `createdAt`, so that the preview is
     * the job's own grid (its next runs), not one counted from `from`. Default `from`.
     */
    anchor: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    count: count(),
  })
  .strict();

export type PreviewQuery = z.infer<typeof PreviewQuerySchema>;
