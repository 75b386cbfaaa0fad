import { Injectable, Logger } from '@nestjs/common';
import { clientAddress, type HttpRequest, pathOf } from '../auth/http-request';
import type { RequestAudit } from '../auth/request-audit';
import { auditTarget } from './audit-target';
import { AuditRepository } from './audit.repository';
import { type AuditQuery, type AuditEntryView } from '@cronfleet/shared';
import { toAuditEntryView } from './audit-entry.view';

/** Writes and reads the audit log of mutating REST calls. */
@Injectable()
export class AuditService implements RequestAudit {
  private readonly logger = new Logger('audit');
  /** The requests recorded so far (by the guard's refusals, or once answered): none is recorded twice. */
  private readonly done = new WeakSet<object>();

  constructor(private readonly repo: AuditRepository) {}

  /**
   * Records a call by an authenticated caller. What is kept is the method, the path (no query string)
   * and the target id (see auditTarget: what the `answer` names as made, or what the path names),
   * never a body: bodies carry secretEnv values and new tokens. A failed write is logged, not
   * answered: the call itself has already happened.
   */
  async recordRequest(req: HttpRequest, status: number, answer?: unknown): Promise<void> {
    const actor = req.actor;
    if (!actor || this.done.has(req)) return;
    this.done.add(req);
    try {
      await this.repo.append({
        at: new Date(),
        actor: actor.name,
        tokenId: actor.tokenId,
        role: actor.role,
        method: req.method.toUpperCase(),
        path: pathOf(req).slice(0, 500),
        targetId: auditTarget(req.params, status, answer),
        status,
        ip: clientAddress(req).slice(0, 64),
      });
    } catch (e) {
      this.logger.error(`could not write the audit entry of ${req.method} ${pathOf(req)} by '${actor.name}': ${(e as Error).message}`);
    }
  }

  async page(q: AuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const rows = await this.repo.page(q);
    const items = rows.slice(0, q.limit).map(toAuditEntryView);
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }
}
