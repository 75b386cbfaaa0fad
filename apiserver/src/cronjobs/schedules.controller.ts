import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { fromDecimal } from '@cronfleet/shared';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { MAX_PREVIEW, preview } from './cronjobs.service';

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
    count: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`)).default(5),
  })
  .strict();

export type PreviewQuery = z.infer<typeof PreviewQuerySchema>;

/**
 * Try a schedule before saving it: its next due times, each strictly after `from` (default now);
 * an `@every` schedule on the grid that starts at `anchor` (default `from`), as the dispatcher runs
 * a job's on the grid of its `createdAt`.
 */
@Controller('schedules')
export class SchedulesController {
  @Get('preview')
  preview(@Query(new ZodValidationPipe(PreviewQuerySchema, 'query')) q: PreviewQuery) {
    return previewOf(q, Date.now());
  }
}

export function previewOf(q: PreviewQuery, nowMs: number): { next: string[] } {
  const fromMs = q.from ? Date.parse(q.from) : nowMs;
  return preview(q.schedule, q.timezone, fromMs, q.count, q.anchor ? Date.parse(q.anchor) : fromMs);
}

