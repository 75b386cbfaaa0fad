import { Controller } from '@nestjs/common';
import { Route, RouteQuery } from '../common/route.decorator';
import { AuditService } from './audit.service';
import { AUDIT_ROUTES, type AuditEntryView, type AuditQuery } from '@cronfleet/shared';

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Route(AUDIT_ROUTES.page)
  page(@RouteQuery() q: AuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    return this.audit.page(q);
  }
}
