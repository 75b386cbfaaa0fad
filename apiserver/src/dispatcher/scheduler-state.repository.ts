import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SchedulerStateEntity } from './scheduler-state.entity';

/** A write attempted by a leader whose epoch is no longer the current one. */
export class FencedOutError extends Error {
  readonly code = 'FencedOut';
  constructor(mine: number, current: number) {
    super(`lease epoch ${mine} is stale (current ${current}): another instance leads now`);
  }
}

/** The scheduler_state row: fencing epoch, leader id, cluster-wide pause. */
@Injectable()
export class SchedulerStateRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get mysql(): boolean {
    return this.ds.options.type === 'mysql';
  }

  async read(): Promise<SchedulerStateEntity> {
    return this.ds.getRepository(SchedulerStateEntity).findOneByOrFail({ id: 1 });
  }

  /**
   * Records this instance as leader with `epoch`, which must be above the stored one; returns false
   * (and changes nothing) when a newer leader has already written a higher or equal epoch.
   */
  async takeOver(epoch: number, instanceId: string): Promise<boolean> {
    const r = await this.ds
      .createQueryBuilder()
      .update(SchedulerStateEntity)
      .set({ epoch, leader: instanceId })
      .where('id = 1 AND epoch < :epoch', { epoch })
      .execute();
    return r.affected === 1;
  }

  /**
   * Runs the dispatcher's writes in one transaction that first locks the state row and checks the
   * epoch. A successor's takeOver waits for the lock, and after it this leader's writes are refused.
   */
  async fenced<T>(epoch: number, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      const qb = m.getRepository(SchedulerStateEntity).createQueryBuilder('s').where('s.id = 1');
      // SQLite runs one server only and serialises writers itself; it has no SELECT ... FOR UPDATE.
      if (this.mysql) qb.setLock('pessimistic_write');
      const state = await qb.getOneOrFail();
      if (state.epoch !== epoch) throw new FencedOutError(epoch, state.epoch);
      return fn(m);
    });
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.ds.getRepository(SchedulerStateEntity).update({ id: 1 }, { paused });
  }
}
