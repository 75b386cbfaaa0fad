import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import Redlock, { Lock } from 'redlock';
import { LeaderLease } from './leader-lease';

/**
 * Leader lease in Redis via redlock. A standby tries to take the lock every second; the holder
 * extends it every third of its length. If an extension fails (Redis unreachable, lock expired
 * because this process stalled) the holder steps down at once: a lease it cannot prove it holds is
 * a lease another instance may already have. Each new holder increments an epoch counter, the
 * fencing token stamped on what it writes.
 */
export class RedisLease extends LeaderLease {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger('lease');
  private readonly redis: Redis;
  private readonly redlock: Redlock;
  private readonly key: string;
  private readonly epochKey: string;
  private lock: Lock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;

  constructor(
    url: string,
    prefix: string,
    private readonly leaseMs: number,
  ) {
    super();
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    this.redis.on('error', () => undefined); // reconnects on its own; failures surface as lost extensions
    this.redlock = new Redlock([this.redis], { retryCount: 0, driftFactor: 0.01 });
    this.redlock.on('error', () => undefined);
    this.key = `${prefix}leader`;
    this.epochKey = `${prefix}leader:epoch`;
  }

  start(): void {
    this.stopped = false;
    // Without the offline queue, a first try before the connection is up would fail and wait a second.
    void this.redis
      .connect()
      .catch(() => undefined)
      .finally(() => this.schedule(0));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.step(), ms);
  }

  private async step(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      if (this.lock) await this.extend();
      else await this.tryAcquire();
    } finally {
      this.busy = false;
      this.schedule(this.lock ? Math.floor(this.leaseMs / 3) : 1000);
    }
  }

  private async tryAcquire(): Promise<void> {
    try {
      this.lock = await this.redlock.acquire([this.key], this.leaseMs);
    } catch {
      return; // held by another instance, or Redis is down: stay standby and try again
    }
    this.currentEpoch = await this.redis.incr(this.epochKey);
    this.leader = true;
    this.logger.log(`became leader (epoch ${this.currentEpoch})`);
    this.emit('acquired', this.currentEpoch);
  }

  private async extend(): Promise<void> {
    try {
      this.lock = await this.lock!.extend(this.leaseMs);
    } catch (e) {
      this.lock = null;
      this.stepDown(`lease extension failed: ${(e as Error).message}`);
    }
  }

  private stepDown(reason: string): void {
    if (!this.leader) return;
    this.leader = false;
    this.logger.warn(`stepped down: ${reason}`);
    this.emit('lost', reason);
  }

  async resign(reason: string): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    this.stepDown(reason);
    if (lock) await lock.release().catch(() => undefined);
  }

  async advanceEpochBeyond(n: number): Promise<number> {
    // Only the lock holder calls this, so a plain read-then-set cannot race another holder.
    const current = Number(await this.redis.get(this.epochKey)) || 0;
    this.currentEpoch = Math.max(current, n) + 1;
    await this.redis.set(this.epochKey, String(this.currentEpoch));
    return this.currentEpoch;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    const lock = this.lock;
    this.lock = null;
    this.stepDown('stopping');
    if (lock) await lock.release().catch(() => undefined);
    this.redis.disconnect();
  }
}
