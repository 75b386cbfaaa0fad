import type { NamespaceUsage, NamespaceView } from '@cronfleet/shared';
import type { NamespaceEntity } from './namespace.entity';

/** A namespace as the REST API shows it, with what it uses of its quotas. */
export function toNamespaceView(n: NamespaceEntity, usage: NamespaceUsage): NamespaceView {
  return {
    name: n.name,
    description: n.description,
    maxJobs: n.maxJobs,
    maxConcurrentTasks: n.maxConcurrentTasks,
    usage,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}
