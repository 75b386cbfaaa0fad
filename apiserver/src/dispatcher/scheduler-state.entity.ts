import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns';

/**
 * The one row (id 1) of cluster-wide scheduler state. `epoch` is the lease epoch of the current
 * leader: every dispatcher write checks it under a row lock, so a leader that lost its lease
 * without noticing (a long pause) cannot write after its successor took over.
 */
@Entity('scheduler_state')
export class SchedulerStateEntity {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  epoch!: number;

  /** Instance id of the leader. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  leader!: string | null;

  /** Dispatch paused cluster-wide (`POST /api/v1/scheduler/stop`). */
  @Column({ type: 'boolean' })
  paused!: boolean;
}
