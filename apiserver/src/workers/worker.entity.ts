import type { WorkerStats } from '@cronfleet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EnrolmentState } from './worker-admission';

/**
 * `online`: connected to an API server; `unreachable`: its connection dropped less than three
 * heartbeat intervals ago (it may come back; it gets no tasks); `offline`: silent for three
 * intervals, its running tasks were declared lost.
 */
export type WorkerStatus = 'online' | 'unreachable' | 'offline';

/** A worker node as last seen: its hello (capacity, labels, runners), heartbeat and figures. */
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

  /** The one namespace whose tasks it runs (from its hello); null: every namespace's. */
  @Column({ type: 'varchar', length: 63, nullable: true })
  namespace!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: WorkerStatus;

  @Column({ name: 'last_heartbeat_at', type: 'datetime', precision: 3, nullable: true })
  lastHeartbeatAt!: Date | null;

  /** The API server instance holding its connection; null when not connected. */
  @Column({ name: 'instance_id', type: 'varchar', length: 128, nullable: true })
  instanceId!: string | null;

  /** Drained by an operator: takes no new tasks until undrained. */
  @Column({ type: 'boolean', default: false })
  drained!: boolean;

  /** The worker said it is shutting down (SIGTERM): takes no new tasks, exits when they end. */
  @Column({ name: 'shutting_down', type: 'boolean', default: false })
  shuttingDown!: boolean;

  /** Figures from its last heartbeat: load, memory, last error. */
  @Column({ type: 'simple-json', nullable: true })
  stats!: WorkerStats | null;

  /** See worker-admission.ts: `open` until a worker enrols under this name, then `enrolled`; `revoked` by an admin. */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  enrolment!: EnrolmentState;

  /** Hex SHA-256 of the credential issued at its enrolment; null unless enrolled. Never leaves the server. */
  @Column({ name: 'credential_hash', type: 'varchar', length: 64, nullable: true })
  credentialHash!: string | null;

  /** When its current credential was issued. */
  @Column({ name: 'enrolled_at', type: 'datetime', precision: 3, nullable: true })
  enrolledAt!: Date | null;

  /** When an admin revoked it; null unless revoked. */
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  /** The session (WorkerHello.sessionId) of its last accepted hello: tells a reconnect of that process from another one. */
  @Column({ name: 'session_id', type: 'varchar', length: 64, nullable: true })
  sessionId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
