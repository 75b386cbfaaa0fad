// The REST contract as the dashboard reads it (see the OpenAPI document at /api/docs for the whole of it).

export const TASK_STATUSES = ['pending', 'running', 'success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const FINAL_STATUSES: readonly TaskStatus[] = ['success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'];
export const RUNNERS = ['command', 'script', 'docker', 'http'] as const;
export type RunnerName = (typeof RUNNERS)[number];

export interface CronJob {
  id: number;
  name: string;
  schedule: string;
  timezone: string;
  runner: RunnerName;
  spec: Record<string, unknown>;
  timeoutSeconds: number | null;
  enabled: boolean;
  jitterSeconds: number;
  concurrencyPolicy: string;
  misfirePolicy: string;
  catchUpLimit: number;
  startingDeadlineSeconds: number | null;
  retry: unknown;
  priority: number;
  workerSelector: unknown;
  routing: string;
  env: Record<string, string>;
  secretEnvKeys: string[];
  maxOutputBytes: number | null;
  notify: unknown[];
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Task {
  id: number;
  cronjobId: number | null;
  cronjobName: string | null;
  status: TaskStatus;
  attempt: number;
  trigger: string;
  runner: string;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  workerId: number | null;
  error: { code?: string; message: string } | null;
  timeoutSeconds: number | null;
  retryOf: number | null;
  pendingReason: string | null;
  control: { action: 'stop' | 'kill'; requestedAt: string; state: 'confirmed' | 'unconfirmed'; reason: string } | null;
  createdAt: string;
}

export interface TimelineRun {
  taskId: number;
  status: TaskStatus;
  attempt: number;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

export interface WorkerStats {
  loadPerCpu: number;
  rssBytes: number;
  hostFreeMemoryBytes: number;
  hostTotalMemoryBytes: number;
  lastError: { atMs: number; code: string; message: string } | null;
}

export interface Worker {
  id: number;
  name: string;
  hostname: string;
  version: string;
  status: 'online' | 'unreachable' | 'offline';
  draining: boolean;
  drained: boolean;
  shuttingDown: boolean;
  capacity: number;
  running: number;
  labels: Record<string, string>;
  runners: string[];
  lastHeartbeatAt: string | null;
  stats: WorkerStats | null;
}

export interface SchedulerStatus {
  leader: string | null;
  instanceId: string;
  paused: boolean;
  isLeader: boolean;
  epoch: number | null;
  heapSize: number | null;
  pending: number | null;
  nextDueAt: string | null;
  lagMs: number | null;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  notReady: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
