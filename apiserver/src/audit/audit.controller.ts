import { Controller, Get, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditService } from './audit.service';
import { type AuditEntryView, type AuditQuery, AuditQuerySchema } from '@cronfleet/shared';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  page(@Query(new ZodValidationPipe(AuditQuerySchema, 'query')) q: AuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    return this.audit.page(q);
  }
}
