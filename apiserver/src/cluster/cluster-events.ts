import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { BatchSender } from '@cronfleet/shared';

/** A worker as every instance's registry knows it (see WorkersRegistry). */
export interface WorkerAnnouncement {
  id: number;
  name: string;
  capacity: number;
  labels: Record<string, string>;
  runners: string[];
  /** The one namespace whose tasks it runs; null: every one. */
  namespace: string | null;
  /** Drained by an operator. */
  drained: boolean;
  /** Shutting down by itself (SIGTERM). */
  shuttingDown: boolean;
  /** Tasks it runs (or was sent) when it said hello. */
  running: number[];
  instanceId: string;
  /** The worker process's session (see WorkerHello.sessionId); null when not known. */
  sessionId: string | null;
}

/**
 * A live event (LiveEvent, live/live-event.ts) as the bus carries it: the bus relays it unread, and
 * LiveFeed alone puts it on and takes it off, so its exact type stays with live/, above this folder.
 */
export interface LiveEventEnvelope {
  type: string;
  data: unknown;
}

/** Changes every API server instance must hear about, the leader above all (its heap and queue follow them). */
export type ClusterEvent =
  | { type: 'cronjob.changed'; id: number }
  | { type: 'cronjob.deleted'; id: number; namespace: string }
  /** A workflow was created, changed or deleted: the leader's workflow scheduler reloads it. */
  | { type: 'workflow.changed'; id: number }
  /** A namespace was created, changed or deleted: the leader reloads the concurrency quotas. */
  | { type: 'namespace.changed'; name: string }
  /** A task was made; `runAtMs` when it waits for a time (the leader keeps it as id and time until then, unread). */
  | { type: 'task.pending'; id: number; runAtMs?: number }
  | { type: 'task.cancelled'; id: number }
  | { type: 'scheduler.paused' }
  | { type: 'scheduler.resumed' }
  /** A worker said hello to `worker.instanceId`. */
  | { type: 'worker.online'; worker: WorkerAnnouncement }
  /** Its connection dropped; it may come back within three heartbeats. */
  | { type: 'worker.disconnected'; id: number; instanceId: string }
  /** Silent for three heartbeats: its tasks were declared lost. */
  | { type: 'worker.offline'; id: number }
  /** An admin revoked the worker: whichever instance holds its connection cuts it. */
  | { type: 'worker.cut'; id: number }
  /** Drained, undrained, or started shutting down. */
  | { type: 'worker.changed'; id: number; drained?: boolean; shuttingDown?: boolean }
  /** Tasks of a worker ended (recorded on whichever instance heard it): its capacity is free again. */
  | { type: 'worker.released'; id: number; taskIds: number[] }
  /** An API token was revoked: every instance closes the streams it holds open for it (see TokenSessions). */
  | { type: 'token.revoked'; id: number; name: string }
  /** For the live event bus (SSE and the dashboard's socket); see LiveFeed. */
  | { type: 'live'; event: LiveEventEnvelope };

/**
 * Publishes cluster events to every instance, this one included. In-process when there is no Redis
 * (the embedded default runs one server); Redis pub/sub otherwise.
 */
export abstract class ClusterEvents {
  protected readonly local = new EventEmitter();
  abstract publish(e: ClusterEvent): Promise<void>;
  abstract close(): Promise<void>;
  subscribe(fn: (e: ClusterEvent) => void): () => void {
    this.local.on('event', fn);
    return () => this.local.off('event', fn);
  }
}

export class LocalClusterEvents extends ClusterEvents {
  async publish(e: ClusterEvent): Promise<void> {
    this.local.emit('event', e);
  }
  async close(): Promise<void> {
    this.local.removeAllListeners();
  }
}

/** Most events in one Redis message. */
const EVENTS_PER_MESSAGE = 500;

/**
 * Events published in one turn of the event loop go out as one Redis message (a JSON array, in
 * order): a busy server publishes several events per task, and one PUBLISH each was a visible share
 * of its CPU under load. A single object is read too.
 */
export class RedisClusterEvents extends ClusterEvents {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly batches = new BatchSender<ClusterEvent, void>(
    async (events) => {
      await this.pub.publish(this.channel, JSON.stringify(events));
      return events.map(() => undefined);
    },
    { maxItems: EVENTS_PER_MESSAGE },
  );

  private constructor(url: string, prefix: string) {
    super();
    this.channel = `${prefix}events`;
    this.pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.sub = new Redis(url, { lazyConnect: true });
    this.sub.on('message', (_ch: string, raw: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return; // a foreign message on our channel: ignore it
      }
      for (const e of Array.isArray(parsed) ? parsed : [parsed]) this.local.emit('event', e as ClusterEvent);
    });
  }

  static async connect(url: string, prefix: string): Promise<RedisClusterEvents> {
    const bus = new RedisClusterEvents(url, prefix);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(bus.channel);
    return bus;
  }

  publish(e: ClusterEvent): Promise<void> {
    return this.batches.push(e);
  }

  async close(): Promise<void> {
    this.batches.flush();
    this.local.removeAllListeners();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
