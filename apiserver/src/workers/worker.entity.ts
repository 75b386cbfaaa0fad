import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type WorkerStatus = 'online' | 'offline';

/** A worker node as last seen: its hello (capacity, labels, runners) and heartbeat. */
@Entity('workers')
export class WorkerEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_workers_name', { unique: true })
  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 255 })
  hostname!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  @Column({ type: 'int' })
  capacity!: number;

  @Column({ type: 'simple-json' })
  labels!: Record<string, string>;

  @Column({ type: 'simple-json' })
  runners!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: WorkerStatus;

  @Column({ name: 'last_heartbeat_at', type: 'datetime', precision: 3, nullable: true })
  lastHeartbeatAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
