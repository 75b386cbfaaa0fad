import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WorkerStats } from '@cronfleet/shared';
import { DomainError, notFound } from '../common/errors';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { ClusterEvents } from '../cluster/cluster-events';
import type { WorkerEntity, WorkerStatus } from './worker.entity';
import { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import { shellWord, type EnrolmentState } from './worker-admission';
import { WorkersRegistry } from './workers.registry';
import { WorkersRepository } from './workers.repository';

export interface WorkerView {
  id: number;
  name: string;
  hostname: string;
  version: string;
  status: WorkerStatus;
  /** Takes no new tasks: drained by an operator, or shutting down by itself. */
  draining: boolean;
  drained: boolean;
  shuttingDown: boolean;
  capacity: number;
  running: number;
  labels: Record<string, string>;
  runners: string[];
  /** The one namespace whose tasks it runs; null: every namespace's. */
  namespace: string | null;
  lastHeartbeatAt: string | null;
  /** Load, memory and last error from its last heartbeat. */
  stats: WorkerStats | null;
  /** Its credential's state (never the credential or its hash); see worker-admission.ts. */
  enrolment: { state: EnrolmentState; enrolledAt: string | null; revokedAt: string | null };
}

export interface WorkerDetail extends WorkerView {
  /** Its live tasks: id, job, status, since when, and the memory of its main process at the last heartbeat. */
  tasks: { id: number; cronjobId: number | null; cronjobName: string | null; status: string; startedAt: string | null; scheduledAt: string; rssBytes: number | null }[];
}

/** Worker views, drain, revocation, re-enrolment and removal through the API, and the leader's verdict on silent workers. */
@Injectable()
export class WorkersService {
  private readonly logger = new Logger('workers');

  constructor(
    private readonly repo: WorkersRepository,
    private readonly registry: WorkersRegistry,
    private readonly events: ClusterEvents,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly lifecycle: TaskLifecycle,
  ) {}

  /** Every worker, or those serving `namespace`: its own and those serving every namespace. */
  async list(namespace?: string): Promise<WorkerView[]> {
    const [workers, running] = await Promise.all([this.repo.list(), this.repo.runningCounts()]);
    return workers.filter((w) => namespace === undefined || w.namespace === null || w.namespace === namespace).map((w) => toView(w, running.get(w.id) ?? 0));
  }

  /** With `namespace`, only its tasks are listed (a shared worker runs other namespaces' too). */
  async get(id: number, namespace?: string): Promise<WorkerDetail> {
    const w = await this.load(id);
    const tasks = (await this.repo.liveTasks(id)).filter((t) => namespace === undefined || t.namespace === namespace);
    const rss = new Map((w.stats?.tasks ?? []).map((t) => [t.taskId, t.rssBytes]));
    return {
      ...toView(w, tasks.filter((t) => t.status === 'running').length),
      tasks: tasks.map((t) => ({
        id: t.id,
        cronjobId: t.cronjobId,
        cronjobName: t.cronjobName,
        status: t.status,
        startedAt: t.startedAt ? t.startedAt.toISOString() : null,
        scheduledAt: t.scheduledAt.toISOString(),
        rssBytes: rss.get(t.id) ?? null,
      })),
    };
  }

  /** No new tasks for the worker until undrained; its running tasks finish. */
  async setDrained(id: number, drained: boolean): Promise<WorkerDetail> {
    await this.load(id);
    await this.repo.setDrained(id, drained);
    await this.events.publish({ type: 'worker.changed', id, drained });
    this.logger.log(`worker ${id} ${drained ? 'drained' : 'undrained'} through the API`);
    return this.get(id);
  }

  /** Forgets an offline worker; its task history keeps the id. */
  async remove(id: number): Promise<void> {
    const w = await this.load(id);
    if (w.status !== 'offline') {
      throw new DomainError('WorkerStillConnected', `worker ${id} '${w.name}' is ${w.status}; only an offline worker can be deleted (drain it and stop it first)`);
    }
    await this.repo.remove(id);
  }

  /**
   * Revokes the worker's credential: its connection is cut on whichever instance holds it, and every
   * later hello under its name is refused (`WorkerRevoked`) until it is re-enrolled.
   */
  async revoke(id: number): Promise<WorkerDetail> {
    const w = await this.load(id);
    if (!(await this.repo.revoke(id, new Date()))) {
      throw new DomainError('WorkerAlreadyRevoked', `worker ${id} '${w.name}' is revoked already; to let it join again: cronfleet workers reenrol ${shellWord(w.name)}`);
    }
    await this.events.publish({ type: 'worker.cut', id });
    this.logger.warn(`worker '${w.name}' (id ${id}) revoked through the API: its connection is cut and its hellos are refused`);
    return this.get(id);
  }

  /**
   * Opens the worker's enrolment again: the next hello under its name (with the worker token) is
   * issued a fresh credential, and the old one stops working. Refused while it is online: a live
   * process keeps its name until it is revoked or stops.
   */
  async reenrol(id: number): Promise<WorkerDetail> {
    const w = await this.load(id);
    if (!(await this.repo.reopenEnrolment(id))) {
      const now = await this.load(id);
      if (now.enrolment === 'open') {
        throw new DomainError('WorkerEnrolmentOpen', `worker ${id} '${w.name}' is open for enrolment already: its next hello is issued a credential`);
      }
      throw new DomainError(
        'WorkerStillConnected',
        `worker ${id} '${w.name}' is online; re-enrol a worker that is not connected (a rebuilt host, a lost state directory), or cut this one off first: cronfleet workers revoke ${shellWord(w.name)}`,
      );
    }
    this.logger.warn(`worker '${w.name}' (id ${id}) re-enrolled through the API: its next hello is issued a fresh credential`);
    return this.get(id);
  }

  /**
   * The leader's check of a worker it has not heard of for a while: if its last heartbeat is older
   * than three intervals it is declared offline, its live tasks lost (and retried per their jobs),
   * and every instance told. Returns when to check again, or null once it is offline or gone.
   */
  async checkSilence(id: number, nowMs = Date.now()): Promise<number | null> {
    const limitMs = 3 * this.config.heartbeatSeconds * 1000;
    // Heard from here recently: alive, whatever the database says yet.
    const heardMs = this.registry.lastBeatMs(id);
    if (heardMs !== null && heardMs + limitMs > nowMs) return heardMs + limitMs;
    const w = await this.repo.findById(id);
    if (!w || w.status === 'offline') return null;
    const lastMs = Math.max((w.lastHeartbeatAt ?? w.createdAt).getTime(), heardMs ?? 0);
    if (lastMs + limitMs > nowMs) return lastMs + limitMs;
    if (!(await this.repo.markOffline(id, w.lastHeartbeatAt))) return nowMs + 1000; // it said hello meanwhile: look again
    this.logger.warn(`worker '${w.name}' (id ${id}) silent for ${Math.round((nowMs - lastMs) / 1000)} s: offline; its running tasks are lost`);
    await this.lifecycle.workerReturned(id, []);
    await this.events.publish({ type: 'worker.offline', id });
    return null;
  }

  private async load(id: number): Promise<WorkerEntity> {
    const w = await this.repo.findById(id);
    if (!w) throw notFound('Worker', id);
    return w;
  }
}

function toView(w: WorkerEntity, running: number): WorkerView {
  return {
    id: w.id,
    name: w.name,
    hostname: w.hostname,
    version: w.version,
    status: w.status,
    draining: w.drained || w.shuttingDown,
    drained: w.drained,
    shuttingDown: w.shuttingDown,
    capacity: w.capacity,
    running,
    labels: w.labels,
    runners: w.runners,
    namespace: w.namespace,
    lastHeartbeatAt: w.lastHeartbeatAt ? w.lastHeartbeatAt.toISOString() : null,
    stats: w.stats,
    enrolment: { state: w.enrolment, enrolledAt: w.enrolledAt ? w.enrolledAt.toISOString() : null, revokedAt: w.revokedAt ? w.revokedAt.toISOString() : null },
  };
}
