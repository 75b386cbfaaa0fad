import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { coerceError } from '@cronfleet/shared';
import { INSTANCE_ID } from '../config/tokens';
import { LeaderLease } from '../cluster/lease/leader-lease';
import { ClusterEvent, ClusterEvents } from '../cluster/cluster-events';
import type { LiveEvent } from '@cronfleet/shared';


type TaskEventType = 'task.started' | 'task.output' | 'task.finished';
/** Whose a task is: its cron job (null for one-shot and workflow tasks) and namespace. */
export interface TaskOwner {
  cronjobId: number | null;
  namespace: string;
}
type DataOf<T extends LiveEvent['type']> = Extract<LiveEvent, { type: T }>['data'];

/**
 * The live feed every instance publishes to and every SSE stream and `/events` socket
 * listens on. Events reach the subscribers of all instances through ClusterEvents (type `live`),
 * except `task.output`: chunks can come by the thousand per second, so they go only to subscribers
 * of the instance whose worker sent them (with one instance, all of them). Events that the cluster
 * already announces (workers online, offline, drained; jobs deleted) are derived from those, on
 * each instance, and not published twice.
 *
 * Emitting never throws and never waits for subscribers: a failed publish is logged and dropped.
 */
@Injectable()
export class LiveFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('live');
  private readonly local = new EventEmitter();
  private unsubscribe: (() => void) | null = null;
  private readonly onAcquired = (): void => this.publish({ type: 'scheduler.leader', data: { instanceId: this.instanceId, leader: true, atMs: Date.now() } });
  private readonly onLost = (): void => this.publish({ type: 'scheduler.leader', data: { instanceId: this.instanceId, leader: false, atMs: Date.now() } });

  constructor(
    private readonly cluster: ClusterEvents,
    private readonly lease: LeaderLease,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
  ) {
    this.local.setMaxListeners(0);
  }

  onModuleInit(): void {
    this.unsubscribe = this.cluster.subscribe((e) => this.fromCluster(e));
    this.lease.on('acquired', this.onAcquired);
    this.lease.on('lost', this.onLost);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.lease.off('acquired', this.onAcquired);
    this.lease.off('lost', this.onLost);
    this.local.removeAllListeners();
  }

  /** Calls `fn` with every live event this instance delivers; returns the unsubscribe function. */
  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.local.on('event', fn);
    return () => this.local.off('event', fn);
  }

  taskCreated(t: { id: number; cronjobId: number | null; cronjobName: string | null; namespace: string; trigger: string; attempt: number; runAt?: Date | null; retryOf?: number | null }): void {
    this.publish({
      type: 'task.created',
      data: {
        taskId: t.id,
        cronjobId: t.cronjobId,
        namespace: t.namespace,
        cronjobName: t.cronjobName,
        trigger: t.trigger,
        attempt: t.attempt,
        runAtMs: t.runAt ? t.runAt.getTime() : null,
        retryOf: t.retryOf ?? null,
      },
    });
  }

  /** A task event naming the task, with its cron job and namespace (`owner`: what the caller read with it). */
  task<T extends TaskEventType>(type: T, taskId: number, data: Omit<DataOf<T>, 'taskId' | 'cronjobId' | 'namespace'>, owner: TaskOwner): void {
    const e = { type, data: { taskId, cronjobId: owner.cronjobId, namespace: owner.namespace, ...data } } as unknown as LiveEvent;
    if (type === 'task.output') this.local.emit('event', e);
    else this.publish(e);
  }

  cronjob(e: Extract<LiveEvent, { type: 'cronjob.created' | 'cronjob.updated' }>): void {
    this.publish(e);
  }

  workflow(e: Extract<LiveEvent, { type: 'workflow.created' | 'workflow.updated' | 'workflow.deleted' | 'workflow.run' }>): void {
    this.publish(e);
  }

  private publish(e: LiveEvent): void {
    this.cluster.publish({ type: 'live', event: e }).catch((err: unknown) => this.logger.warn(`live event ${e.type} not published: ${coerceError(err).message}`));
  }

  private fromCluster(e: ClusterEvent): void {
    const live = toLive(e);
    if (!live) return;
    this.local.emit('event', live);
  }
}

/** The live event a cluster event stands for, if any. */
export function toLive(e: ClusterEvent): LiveEvent | null {
  switch (e.type) {
    case 'live':
      // Only LiveFeed.publish puts `live` events on the bus: each is a LiveEvent.
      return e.event as LiveEvent;
    case 'worker.online':
      return { type: 'worker.online', data: { workerId: e.worker.id, name: e.worker.name, namespace: e.worker.namespace ?? null } };
    case 'worker.offline':
      return { type: 'worker.offline', data: { workerId: e.id } };
    case 'worker.changed':
      return e.drained === undefined ? null : { type: 'worker.drained', data: { workerId: e.id, drained: e.drained } };
    case 'cronjob.deleted':
      return { type: 'cronjob.deleted', data: { cronjobId: e.id, namespace: e.namespace } };
    default:
      return null;
  }
}
