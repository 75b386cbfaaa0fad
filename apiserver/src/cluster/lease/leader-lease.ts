import { EventEmitter } from 'node:events';

/**
 * Leadership for dispatching: only the holder runs the dispatcher. States: standby → leader (emits
 * `acquired` with the lease epoch, a number that grows with every new holder) → standby (emits `lost`
 * when an extension fails or on stop). Implementations: in-process (one server) and Redis (redlock).
 */
export abstract class LeaderLease extends EventEmitter<{ acquired: [epoch: number]; lost: [reason: string] }> {
  abstract readonly kind: 'local' | 'redis';
  protected leader = false;
  protected currentEpoch = 0;

  get isLeader(): boolean {
    return this.leader;
  }
  get epoch(): number {
    return this.currentEpoch;
  }
  abstract start(): void;
  /** Gives the lease up (if held) so a standby takes over at once, and stops trying. */
  abstract stop(): Promise<void>;
  /** Steps down (emitting `lost`) but keeps competing for the lease: after being fenced out. */
  abstract resign(reason: string): Promise<void>;
  /**
   * Moves this holder's epoch above `n` (the database saw a higher epoch, e.g. Redis was flushed)
   * and returns the new epoch.
   */
  abstract advanceEpochBeyond(n: number): Promise<number>;
}

/** The embedded default: one server, always the leader. */
export class LocalLease extends LeaderLease {
  readonly kind = 'local' as const;
  start(): void {
    this.leader = true;
    this.currentEpoch = 1;
    queueMicrotask(() => this.emit('acquired', this.currentEpoch));
  }
  async stop(): Promise<void> {
    if (this.leader) {
      this.leader = false;
      this.emit('lost', 'stopping');
    }
  }
  async resign(reason: string): Promise<void> {
    this.emit('lost', reason);
    queueMicrotask(() => this.emit('acquired', this.currentEpoch));
  }
  async advanceEpochBeyond(n: number): Promise<number> {
    this.currentEpoch = Math.max(this.currentEpoch, n + 1);
    return this.currentEpoch;
  }
}
