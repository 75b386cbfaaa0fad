import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { fromDecimal } from '../common/decimal';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { MAX_PREVIEW, preview } from './cronjobs.service';

const PreviewQuerySchema = z
  .object({
    schedule: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(255),
    timezone: z.string().trim().min(1).max(64).default('UTC'),
    from: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    count: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`)).default(5),
  })
  .strict();

/** Try a schedule before saving it: its next due times, each strictly after `from` (default now). */
@Controller('schedules')
export class SchedulesController {
  @Get('preview')
  preview(@Query(new ZodValidationPipe(PreviewQuerySchema, 'query')) q: z.infer<typeof PreviewQuerySchema>) {
    const fromMs = q.from ? Date.parse(q.from) : Date.now();
    return preview(q.schedule, q.timezone, fromMs, q.count);
  }
}
