import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequestAudit } from '../auth/request-audit';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** The audit log: written once each mutating call is answered (mutation-hooks.ts) (and the guard, for role refusals), read through GET /audit. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntryEntity])],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, { provide: RequestAudit, useExisting: AuditService }],
  exports: [AuditService, RequestAudit],
})
export class AuditModule {}
