import type { AuditEntryView } from '@cronfleet/shared';
import type { AuditEntryEntity } from './audit-entry.entity';

/** An audit entry as the REST API shows it. */
export function toAuditEntryView(e: AuditEntryEntity): AuditEntryView {
  return { id: e.id, at: e.at.toISOString(), actor: e.actor, tokenId: e.tokenId, role: e.role, method: e.method, path: e.path, targetId: e.targetId, status: e.status, ip: e.ip };
}
