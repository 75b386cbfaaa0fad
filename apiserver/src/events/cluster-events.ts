import { EventEmitter } from 'node:events';
import Redis from 'ioredis';

/** Changes every API server instance must hear about, the leader above all (its heap and queue follow them). */
export type ClusterEvent =
  | { type: 'cronjob.changed'; id: number }
  | { type: 'cronjob.deleted'; id: number }
  | { type: 'task.pending'; id: number }
  | { type: 'task.cancelled'; id: number }
  | { type: 'scheduler.paused' }
  | { type: 'scheduler.resumed' };

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

export class RedisClusterEvents extends ClusterEvents {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;

  private constructor(url: string, prefix: string) {
    super();
    this.channel = `${prefix}events`;
    this.pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.sub = new Redis(url, { lazyConnect: true });
    this.sub.on('message', (_ch: string, raw: string) => {
      try {
        this.local.emit('event', JSON.parse(raw) as ClusterEvent);
      } catch {
        /* a foreign message on our channel: ignore it */
      }
    });
  }

  static async connect(url: string, prefix: string): Promise<RedisClusterEvents> {
    const bus = new RedisClusterEvents(url, prefix);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(bus.channel);
    return bus;
  }

  async publish(e: ClusterEvent): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(e));
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
