import type { ApiTokenView } from '@cronfleet/shared';
import type { ApiTokenEntity } from './api-token.entity';
import { isoOrNull as iso } from '../common/iso-time';

/** An API token as the REST API shows it: never its secret. */
export function toApiTokenView(t: ApiTokenEntity): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    namespace: t.namespace,
    hint: t.hint,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
  };
}
