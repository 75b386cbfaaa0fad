import { Injectable } from '@nestjs/common';
import { DEFAULT_NAMESPACE, type CreateNamespace, type NamespaceView, type UpdateNamespace } from '@cronfleet/shared';
import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors';
import type { KnownNamespaces } from '../auth/known-namespaces';
import { ClusterEvents } from '../cluster/cluster-events';
import { toNamespaceView } from './namespace.view';
import { NamespacesRepository } from './namespaces.repository';

const EMPTY_USAGE = { jobs: 0, workflows: 0, runningTasks: 0 };

/**
 * Namespaces and their quotas: the REST resource, the existence check of everything created in one,
 * and the `maxJobs` check of a job insert. Quota changes reach the leader's dispatcher as a
 * `namespace.changed` cluster event.
 */
@Injectable()
export class NamespacesService implements KnownNamespaces {
  constructor(
    private readonly repo: NamespacesRepository,
    private readonly events: ClusterEvents,
  ) {}

  /** Every namespace (or just `only`), with its usage. */
  async list(only?: string): Promise<NamespaceView[]> {
    const [rows, usage] = await Promise.all([this.repo.list(), this.repo.usage(only)]);
    return rows.filter((n) => only === undefined || n.name === only).map((n) => toNamespaceView(n, usage.get(n.name) ?? EMPTY_USAGE));
  }

  async get(name: string): Promise<NamespaceView> {
    const [n, usage] = await Promise.all([this.repo.find(name), this.repo.usage(name)]);
    if (!n) throw notFound('Namespace', name);
    return toNamespaceView(n, usage.get(name) ?? EMPTY_USAGE);
  }

  async create(dto: CreateNamespace): Promise<NamespaceView> {
    const n = await this.repo.insert({ name: dto.name, description: dto.description, maxJobs: dto.maxJobs, maxConcurrentTasks: dto.maxConcurrentTasks });
    await this.changed(n.name);
    return toNamespaceView(n, EMPTY_USAGE);
  }

  async update(name: string, dto: UpdateNamespace): Promise<NamespaceView> {
    const n = await this.repo.find(name);
    if (!n) throw notFound('Namespace', name);
    if (dto.description !== undefined) n.description = dto.description;
    if (dto.maxJobs !== undefined) n.maxJobs = dto.maxJobs;
    if (dto.maxConcurrentTasks !== undefined) n.maxConcurrentTasks = dto.maxConcurrentTasks;
    const saved = await this.repo.save(n);
    await this.changed(name);
    return toNamespaceView(saved, (await this.repo.usage(name)).get(name) ?? EMPTY_USAGE);
  }

  /** Deletes an empty namespace; one still holding something is refused, saying what. */
  async remove(name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) throw new DomainError('NamespaceNotEmpty', `namespace '${DEFAULT_NAMESPACE}' cannot be deleted: it is where everything without a namespace lives`);
    const left = await this.repo.deleteIfEmpty(name);
    if (left === null) throw notFound('Namespace', name);
    if (left.length > 0) throw new DomainError('NamespaceNotEmpty', `namespace '${name}' still holds ${left.join(', ')}: delete or move them first`);
    await this.changed(name);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.repo.find(name)) !== null;
  }

  /** Refuses (400, naming `field`) a namespace that does not exist: for everything created in one. */
  async assertExists(name: string, field = 'namespace'): Promise<void> {
    if (!(await this.repo.find(name))) throw unknownNamespace(name, field);
  }

  /**
   * Inside a cron job's insert transaction: refuses the insert when `name` is gone or holds
   * `maxJobs` jobs already (409 `NamespaceQuotaExceeded`).
   */
  async assertRoomForJob(m: EntityManager, name: string): Promise<void> {
    const room = await this.repo.jobsIn(m, name);
    if (!room) throw unknownNamespace(name, 'namespace');
    if (room.maxJobs !== null && room.jobs >= room.maxJobs) {
      throw new DomainError('NamespaceQuotaExceeded', `namespace '${name}' holds ${room.jobs} cron job(s), its quota maxJobs is ${room.maxJobs}: delete one, or raise the quota (PATCH /api/v1/namespaces/${name})`);
    }
  }

  concurrencyLimits(): Promise<Map<string, number>> {
    return this.repo.concurrencyLimits();
  }

  private changed(name: string): Promise<void> {
    return this.events.publish({ type: 'namespace.changed', name });
  }
}

/** The refusal of something created in namespace `name`, which does not exist (400 naming `field`). */
export const unknownNamespace = (name: string, field = 'namespace') =>
  new DomainError('ValidationFailed', `${field}: no namespace '${name}'; create it first (POST /api/v1/namespaces) or pick an existing one`);
