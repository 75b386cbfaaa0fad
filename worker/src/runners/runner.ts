import type { RunnerName, SerializedError, TaskRun } from '@cronfleet/shared';

/** The task as a runner of kind `N` receives it: `spec` is that runner's spec. */
export type TaskRunFor<N extends RunnerName> = Extract<TaskRun, { runner: N }>;

/** Where a runner sends what its task prints. */
export interface RunnerIO {
  /** Text in arrival order, stdout and stderr merged, already decoded (whole UTF-8 characters). */
  output(text: string): void;
  /**
   * Backpressure: null while output may keep coming; else a promise that resolves once the server
   * has caught up. A runner reading a stream pauses it until then, so a task printing faster than
   * the output reaches the server is slowed down (its pipe fills) instead of the worker's memory.
   */
  room?(): Promise<void> | null;
}

/** How a task ended, as far as its runner can tell. */
export interface RunnerResult {
  status: 'success' | 'failed' | 'timeout' | 'killed';
  /** Exit code when the process exited by itself; null when a signal ended it or it never started. */
  exitCode?: number | null;
  /** Signal that ended the process, e.g. `SIGKILL`. */
  signal?: string | null;
  /** Why the task could not run (e.g. `CommandNotFound`); null when it ran. */
  error?: SerializedError | null;
}

/** One task being executed by a runner. */
export interface RunningTask {
  /** Settles once the task and everything it started are gone. Never rejects: failures are results. */
  readonly done: Promise<RunnerResult>;
  /** Pid of the task's main process when it is a local process (for the heartbeat's memory figure). */
  readonly pid?: number;
  /**
   * Asks the task to end (SIGTERM to its process group), forcing it (SIGKILL) if it still runs
   * `graceMs` milliseconds later; status `killed`. A second call can only bring the SIGKILL closer.
   */
  stop(graceMs: number): void;
  /** Ends the task now (SIGKILL); status `killed`. */
  kill(): void;
}

/**
 * A way of executing tasks (Dkron's executor): one method, one file per runner in this folder.
 * The runner owns `timeoutSeconds`: it stops the task when time is up and reports `timeout`.
 */
export interface Runner<N extends RunnerName = RunnerName> {
  readonly name: N;
  /** Starts the task; never throws: a task that cannot start settles `done` as `failed`. */
  start(task: TaskRunFor<N>, io: RunnerIO): RunningTask;
}

/**
 * The environment a task gets from the job and the worker, lowest first: the job's `env`, the spec's
 * own `env` (runners whose spec has one), the job's secrets, then the CRONFLEET_* variables (task id,
 * cron job, due time, attempt; broadcast shards also their index and count). Runners that start a
 * local process put it over {@link inheritedEnv}.
 */
export function taskEnv(task: TaskRun): Record<string, string> {
  return {
    ...task.env,
    ...('env' in task.spec ? task.spec.env : {}),
    ...task.secretEnv,
    CRONFLEET_TASK_ID: String(task.taskId),
    CRONFLEET_CRONJOB: task.cronjobName ?? '',
    CRONFLEET_SCHEDULED_AT: new Date(task.scheduledAtMs).toISOString(),
    CRONFLEET_ATTEMPT: String(task.attempt),
    ...(task.shard ? { CRONFLEET_SHARD_INDEX: String(task.shard.index), CRONFLEET_SHARD_COUNT: String(task.shard.count) } : {}),
  };
}

/**
 * The worker's own environment as its task processes inherit it: everything but CRONFLEET_*, which
 * holds the worker's token and, for the worker of `cronfleet server --local-worker`, the server's
 * whole configuration (secret key, admin token, database URL). A task must not be able to read
 * those: the worker token alone would let it pose as a worker and receive other jobs' secrets.
 */
export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !name.startsWith('CRONFLEET_')) inherited[name] = value;
  }
  return inherited;
}
