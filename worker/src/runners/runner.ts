import type { RunnerName, SerializedError, TaskRun } from '@cronfleet/shared';

/** The task as a runner of kind `N` receives it: `spec` is that runner's spec. */
export type TaskRunFor<N extends RunnerName> = Extract<TaskRun, { runner: N }>;

/** Where a runner sends what its task prints. */
export interface RunnerIO {
  /** Text in arrival order, stdout and stderr merged, already decoded (whole UTF-8 characters). */
  output(text: string): void;
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

/** Variables every task process gets, over the worker's environment and the spec's `env`; broadcast shards also get their index and count. */
export function taskEnv(task: TaskRun): Record<string, string> {
  return {
    CRONFLEET_TASK_ID: String(task.taskId),
    CRONFLEET_CRONJOB: task.cronjobName ?? '',
    CRONFLEET_SCHEDULED_AT: new Date(task.scheduledAtMs).toISOString(),
    CRONFLEET_ATTEMPT: String(task.attempt),
    ...(task.shard ? { CRONFLEET_SHARD_INDEX: String(task.shard.index), CRONFLEET_SHARD_COUNT: String(task.shard.count) } : {}),
  };
}
