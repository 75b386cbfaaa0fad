import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns';

/** A chunk of a task's output (stdout and stderr interleaved), ordered by the worker's sequence number. */
@Entity('task_output')
export class TaskOutputEntity {
  @PrimaryColumn({ name: 'task_id', type: 'bigint', transformer: bigintAsNumber })
  taskId!: number;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'text' })
  data!: string;
}
