import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { SerializedError, ServerToWorkerEvents, TaskKillAck, TaskRun, TaskRunAck, WorkerToServerEvents, WorkerSnapshot } from '@cronfleet/shared';
import { AckSchemas, BatchSender, MAX_BATCH } from '@cronfleet/shared';
import type { Namespace, Socket } from 'socket.io';
import type { ServerConfig } from '../config/config';
import { INSTANCE_ID, SERVER_CONFIG } from '../config/tokens';
import { ClusterEvent, ClusterEvents, WorkerAnnouncement } from '../cluster/cluster-events';
import { TaskEvents } from '../tasks/lifecycle/task-events';
import type { WorkerEntity } from './worker.entity';

export type WorkerSocket = Socket<WorkerToServerEvents, ServerToWorkerEvents>;

interface Known {
  announcement: WorkerAnnouncement;
  /** Connected to some instance (false from its disconnect until its next hello). */
  online: boolean;
  /** Tasks sent to it and not yet final: its load as the dispatcher counts it. */
  tasks: Set<number>;
}

/** Releases recorded here reach the other instances (the leader) in batches this far apart at most. */
const RELEASE_BATCH_MS = 10;

/** The room of a worker's socket, on whichever instance holds it. */
const roomOf = (workerId: number) => `worker:${workerId}`;

/**
 * Every worker of the cluster as this instance knows it, and the one way to send them messages.
 *
 * Each instance holds the sockets of the workers connected to it, and hears about the others
 * through cluster events (hello, disconnect, drain, tasks ending), so the leader can choose among
 * all workers and count their load wherever they are connected. Messages to a worker go straight
 * to its socket when it is here, and otherwise through the socket.io adapter (Redis) to the room
 * the worker's socket joined on the instance that holds it; acks come back the same way.
 * Emits `capacity` whenever a worker may have room for a task.
 */
@Injectable()
export class WorkersRegistry extends EventEmitter<{ capacity: [] }> implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('workers');
  private readonly known = new Map<number, Known>();
  /** taskId → how many known workers hold it (one, but for a moment during a hand-over): `holds` without a scan. */
  private readonly holders = new Map<number, number>();
  private readonly local = new Map<number, WorkerSocket>();
  private ns: Namespace | null = null;
  private unsubscribe: (() => void) | null = null;
  private unsubscribeTasks: (() => void) | null = null;
  private releases = new Map<number, number[]>();
  private releaseTimer: NodeJS.Timeout | null = null;
  /** Per worker: the tasks sent to it in one turn go as one `task:runs`. */
  private readonly runBatches = new Map<number, BatchSender<TaskRun, TaskRunAck>>();

  /** How long a worker has to acknowledge task:run, task:stop and task:kill. */
  private readonly ackTimeoutMs: number;

  constructor(
    private readonly events: ClusterEvents,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
    @Inject(SERVER_CONFIG) config: ServerConfig,
    private readonly taskEvents: TaskEvents,
  ) {
    super();
    this.ackTimeoutMs = config.ackTimeoutSeconds * 1000;
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((e) => this.onEvent(e));
    // An end the server decided (lost, watchdog, unrunnable) frees the worker's slot; one its worker
    // reported was freed when the report came (see the gateway).
    this.unsubscribeTasks = this.taskEvents.subscribe((e) => {
      if (e.type === 'ended' && !e.reported && e.workerId !== null) this.release(e.workerId, e.task.id);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribeTasks?.();
    this.flushReleases();
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
  }

  /** The gateway's namespace, for messages to workers held by other instances. */
  attach(ns: Namespace): void {
    this.ns = ns;
  }

  /** This instance holds the worker's socket. */
  isLocal(workerId: number): boolean {
    return this.local.has(workerId);
  }
  socketOf(workerId: number): WorkerSocket | undefined {
    return this.local.get(workerId);
  }
  /**
   * When this instance last heard from the worker (hello or heartbeat) if it holds its socket: first-hand
   * evidence of life that does not wait for the heartbeat's database write (which can lag under load).
   */
  lastBeatMs(workerId: number): number | null {
    const beat = this.local.get(workerId)?.data.lastBeatMs as number | undefined;
    return beat ?? null;
  }

  /** Connected to some instance, as far as this one knows. */
  isOnline(workerId: number): boolean {
    return this.known.get(workerId)?.online ?? false;
  }

  /** The session of the worker's process as announced at its last hello; null when not known here. */
  sessionOf(workerId: number): string | null {
    return this.known.get(workerId)?.announcement.sessionId ?? null;
  }

  /**
   * A worker said hello here: hold its socket, count its running tasks, tell every instance. A socket
   * this instance held for it before (a reconnect of the same process whose old connection was not
   * closed yet) is cut: one connection per worker.
   */
  async connected(socket: WorkerSocket, announcement: WorkerAnnouncement): Promise<void> {
    const stale = this.local.get(announcement.id);
    this.local.set(announcement.id, socket);
    if (stale && stale !== socket) stale.disconnect(true);
    await socket.join(roomOf(announcement.id));
    this.apply({ type: 'worker.online', worker: announcement });
    await this.events.publish({ type: 'worker.online', worker: announcement });
  }

  /** The worker's socket here closed; false if it was not the socket this instance holds for it. */
  disconnected(workerId: number, socket: WorkerSocket): boolean {
    if (this.local.get(workerId) !== socket) return false;
    this.local.delete(workerId);
    const e: ClusterEvent = { type: 'worker.disconnected', id: workerId, instanceId: this.instanceId };
    this.apply(e);
    void this.events.publish(e).catch(() => undefined);
    return true;
  }

  /** Replaces what this instance knows with the database's view (on taking the lead). */
  load(rows: readonly WorkerEntity[], live: ReadonlyMap<number, readonly number[]>): void {
    const inRows = new Set(rows.map((r) => r.id));
    for (const id of [...this.known.keys()]) if (!this.local.has(id) && !inRows.has(id)) this.forget(id);
    for (const r of rows) {
      if (r.status === 'offline') continue;
      const online = this.local.has(r.id) || (r.status === 'online' && r.instanceId !== null);
      const announcement: WorkerAnnouncement = { id: r.id, name: r.name, capacity: r.capacity, labels: r.labels, runners: r.runners, namespace: r.namespace, drained: r.drained, shuttingDown: r.shuttingDown, running: [], instanceId: r.instanceId ?? '', sessionId: r.sessionId };
      const k = this.remember(announcement, online, live.get(r.id) ?? []);
      announcement.running = [...k.tasks];
    }
    this.emit('capacity');
  }

  /** Some known worker holds this task (running, or reserved and sent to it). */
  holds(taskId: number): boolean {
    return this.holders.has(taskId);
  }

  /** Every task a known worker holds (running, or reserved for it): what the namespace quotas count. */
  heldTasks(): IterableIterator<number> {
    return this.holders.keys();
  }

  snapshots(): WorkerSnapshot[] {
    const out: WorkerSnapshot[] = [];
    for (const k of this.known.values()) {
      const a = k.announcement;
      out.push({ id: a.id, name: a.name, capacity: a.capacity, running: k.tasks.size, online: k.online, draining: a.drained || a.shuttingDown, runners: a.runners, labels: a.labels, namespace: a.namespace ?? null });
    }
    return out;
  }

  /** Counts a task against a worker's capacity before it is sent, so a burst cannot overfill it. */
  reserve(workerId: number, taskId: number): void {
    const k = this.known.get(workerId);
    if (k) this.hold(k, taskId);
  }

  /** A task of the worker ended (or was taken back): frees its slot here and, batched, everywhere. */
  release(workerId: number, taskId: number): void {
    const k = this.known.get(workerId);
    if (k && this.unhold(k, taskId)) this.emit('capacity');
    const list = this.releases.get(workerId);
    if (list) list.push(taskId);
    else this.releases.set(workerId, [taskId]);
    this.releaseTimer ??= setTimeout(() => this.flushReleases(), RELEASE_BATCH_MS);
  }

  /** Sends a task to run, in this turn's `task:runs` batch for the worker; resolves with its own ack. */
  sendRun(workerId: number, msg: TaskRun): Promise<TaskRunAck> {
    let batch = this.runBatches.get(workerId);
    if (!batch) {
      batch = new BatchSender((tasks) => this.sendRuns(workerId, tasks), { maxItems: MAX_BATCH });
      this.runBatches.set(workerId, batch);
    }
    return batch.push(msg);
  }

  private async sendRuns(workerId: number, tasks: TaskRun[]): Promise<TaskRunAck[]> {
    const res = await this.request(workerId, 'task:runs', { tasks });
    const refused = (code: string, message: string): TaskRunAck[] => tasks.map(() => ({ accepted: false, error: { code, message, retryable: true } satisfies SerializedError }));
    if (!res.ok) return refused(res.code, res.message);
    if (res.value.acks.length !== tasks.length) return refused('InvalidMessage', `worker ${workerId} answered ${res.value.acks.length} of the ${tasks.length} tasks sent`);
    return res.value.acks;
  }

  /** Null when the worker is not connected anywhere or did not answer in time. */
  async sendKill(workerId: number, taskId: number, reason: string, timeoutMs = this.ackTimeoutMs): Promise<TaskKillAck | null> {
    const res = await this.request(workerId, 'task:kill', { taskId, reason }, timeoutMs);
    if (!res.ok) this.logger.warn(`kill of task ${taskId}: ${res.message}`);
    return res.ok ? res.value : null;
  }

  async sendStop(workerId: number, taskId: number, graceSeconds: number, reason: string, timeoutMs = this.ackTimeoutMs): Promise<TaskKillAck | null> {
    const res = await this.request(workerId, 'task:stop', { taskId, graceSeconds, reason }, timeoutMs);
    if (!res.ok) this.logger.warn(`stop of task ${taskId}: ${res.message}`);
    return res.ok ? res.value : null;
  }

  /** Sends a worker one message and validates its ack: directly when its socket is here, else through the adapter. */
  private async request<E extends keyof typeof AckSchemas & keyof ServerToWorkerEvents>(
    workerId: number,
    event: E,
    msg: Parameters<ServerToWorkerEvents[E]>[0],
    timeoutMs = this.ackTimeoutMs,
  ): Promise<{ ok: true; value: ReturnType<(typeof AckSchemas)[E]['parse']> } | { ok: false; code: string; message: string }> {
    const socket = this.local.get(workerId);
    let raw: unknown;
    try {
      if (socket) {
        raw = await (socket.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, m: unknown): Promise<unknown> }).emitWithAck(event, msg);
      } else if (this.ns && this.isOnline(workerId)) {
        const answers = (await (this.ns.to(roomOf(workerId)).timeout(timeoutMs) as unknown as { emitWithAck(ev: string, m: unknown): Promise<unknown[]> }).emitWithAck(event, msg)) ?? [];
        if (answers.length === 0) return { ok: false, code: 'WorkerUnavailable', message: `worker ${workerId} is not connected to any server` };
        raw = answers[0];
      } else {
        return { ok: false, code: 'WorkerUnavailable', message: `worker ${workerId} is not connected` };
      }
    } catch {
      return { ok: false, code: 'AckTimeout', message: `worker ${workerId} did not answer ${event} within ${timeoutMs} ms` };
    }
    const parsed = AckSchemas[event].safeParse(raw);
    if (!parsed.success) return { ok: false, code: 'InvalidMessage', message: `worker ${workerId} sent a malformed ${event} ack` };
    return { ok: true, value: parsed.data as ReturnType<(typeof AckSchemas)[E]['parse']> };
  }

  private flushReleases(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    const batch = this.releases;
    this.releases = new Map();
    for (const [id, taskIds] of batch) void this.events.publish({ type: 'worker.released', id, taskIds }).catch(() => undefined);
  }

  /** What is known of a worker from now on; the tasks it held stay held, `taskIds` are added. */
  private remember(announcement: WorkerAnnouncement, online: boolean, taskIds: Iterable<number>): Known {
    let k = this.known.get(announcement.id);
    if (k) {
      k.announcement = announcement;
      k.online = online;
    } else {
      k = { announcement, online, tasks: new Set() };
      this.known.set(announcement.id, k);
    }
    for (const t of taskIds) this.hold(k, t);
    return k;
  }

  /** Forgets a worker and the tasks it held. */
  private forget(workerId: number): void {
    const k = this.known.get(workerId);
    if (!k) return;
    for (const t of [...k.tasks]) this.unhold(k, t);
    this.known.delete(workerId);
  }

  private hold(k: Known, taskId: number): void {
    if (k.tasks.has(taskId)) return;
    k.tasks.add(taskId);
    this.holders.set(taskId, (this.holders.get(taskId) ?? 0) + 1);
  }

  private unhold(k: Known, taskId: number): boolean {
    if (!k.tasks.delete(taskId)) return false;
    const n = (this.holders.get(taskId) ?? 1) - 1;
    if (n > 0) this.holders.set(taskId, n);
    else this.holders.delete(taskId);
    return true;
  }

  private onEvent(e: ClusterEvent): void {
    // Our own worker.online/disconnected were applied before publishing; released ones too.
    if ((e.type === 'worker.online' && e.worker.instanceId === this.instanceId) || (e.type === 'worker.disconnected' && e.instanceId === this.instanceId)) return;
    this.apply(e);
  }

  private apply(e: ClusterEvent): void {
    switch (e.type) {
      case 'worker.online': {
        const w = e.worker;
        // It said hello to another instance: a socket still held here for it is stale.
        const stale = w.instanceId !== this.instanceId ? this.local.get(w.id) : undefined;
        if (stale) {
          this.local.delete(w.id);
          stale.disconnect(true);
        }
        // Tasks reserved for it meanwhile (sent after its hello was announced) still count.
        this.remember(w, true, w.running);
        this.emit('capacity');
        return;
      }
      case 'worker.disconnected': {
        const k = this.known.get(e.id);
        if (k && k.announcement.instanceId === e.instanceId && !this.local.has(e.id)) k.online = false;
        return;
      }
      case 'worker.offline': {
        const socket = this.local.get(e.id);
        // Declared offline while its socket is still open here: it stopped heartbeating; make it reconnect.
        if (socket) socket.disconnect(true);
        this.forget(e.id);
        this.runBatches.delete(e.id);
        return;
      }
      case 'worker.cut': {
        // Revoked: its connection goes, wherever it is held (and one whose hello is under way here).
        this.local.get(e.id)?.disconnect(true);
        for (const socket of this.ns?.sockets.values() ?? []) if (socket.data.workerId === e.id) socket.disconnect(true);
        return;
      }
      case 'worker.changed': {
        const k = this.known.get(e.id);
        if (!k) return;
        if (e.drained !== undefined) k.announcement = { ...k.announcement, drained: e.drained };
        if (e.shuttingDown !== undefined) k.announcement = { ...k.announcement, shuttingDown: e.shuttingDown };
        this.emit('capacity');
        return;
      }
      case 'worker.released': {
        const k = this.known.get(e.id);
        let freed = false;
        if (k) for (const t of e.taskIds) freed = this.unhold(k, t) || freed;
        if (freed) this.emit('capacity');
        return;
      }
    }
  }
}
