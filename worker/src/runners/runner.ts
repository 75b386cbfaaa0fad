import { isBuiltinTask, type PluginSpec, type PluginTaskRun, type RunnerName, type SerializedError, type TaskRun } from '@cronfleet/shared';
import type { RunAs } from '../run-as';
import type { ResolvedProgram } from '../program-resolution';

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
  /** The http runner's response status, when a response came. */
  httpStatus?: number | null;
}

/**
 * The error of a task the worker ended for running past its limit: `seconds` and the setting that
 * set them (`timeoutSeconds`, the task's; a runner with a limit of its own names that one). Retryable:
 * the next attempt may be faster.
 */
export function timeoutError(seconds: number, limit = 'timeoutSeconds'): SerializedError {
  return { code: 'TaskTimeout', message: `timed out after ${seconds} s (${limit})`, retryable: true };
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
  /**
   * Starts the task; never throws: a task that cannot start settles `done` as `failed`. `program`:
   * the file to execute instead of looking up the spec's command or interpreter, as the worker's
   * allow-list resolved it (see CommandAllowList); runners that start no local program ignore it.
   */
  start(task: TaskRunFor<N>, io: RunnerIO, program?: ResolvedProgram | null): RunningTask;
}

/**
 * A runner from a plugin (`cronfleet-worker --plugin <file or package>`): the contract of the
 * built-in runners for a name of its own. The worker calls `validate` before accepting a task, then
 * `start`; `task.spec` is the job's free-form `spec` object (at most 64 KiB as JSON). The worker
 * guards the contract (see plugins/plugin-guard.ts): it kills the task when `timeoutSeconds` is up,
 * calls `kill()` itself when a stopped task still runs after the grace, stops waiting 5 s after a
 * `kill()` that ends nothing, and turns a throw or a malformed result into a `failed` task.
 */
export interface PluginRunner {
  /** The runner's name, as jobs name it: a lowercase letter, then up to 31 lowercase letters, digits or '-'; not a built-in's. */
  readonly name: string;
  /**
   * Checks a task's spec before the worker accepts the task. Return nothing (or null) to accept;
   * return a message naming the field (`spec.seconds: must be a number from 0 to 86400`), or throw,
   * to refuse the task with `InvalidSpec`. Synchronous.
   */
  validate?(spec: PluginSpec): string | null | undefined | void;
  /**
   * Starts the task and returns at once. `done` settles with the result once everything the task
   * started is over; `stop(graceMs)` asks it to end (status `killed`); `kill()` ends it now.
   */
  start(task: PluginTaskRun, io: RunnerIO): RunningTask;
}

/** What a plugin's factory (its default export, when a function) is called with. */
export interface PluginContext {
  /** The worker's name in the fleet. */
  readonly workerName: string;
  /** The account command and script tasks run as (`--run-as`), for a plugin that starts processes; null: the worker's own. */
  readonly runAs: RunAs | null;
  /** Writes one line to the worker's log, prefixed with the plugin. Never log a task's secretEnv. */
  log(line: string): void;
  /**
   * The environment a local process of `task` should get, as command tasks get it: the worker's own
   * without its CRONFLEET_* variables (its token), then the job's `env`, its secrets, and the
   * CRONFLEET_* variables of the task.
   */
  processEnv(task: PluginTaskRun): Record<string, string>;
}

/**
 * The environment a task gets from the job and the worker, lowest first: the job's `env`, the spec's
 * own `env` (built-in runners whose spec has one), the job's secrets, then the CRONFLEET_* variables (task id,
 * cron job, due time, attempt; broadcast shards also their index and count). Runners that start a
 * local process put it over {@link inheritedEnv}.
 */
export function taskEnv(task: TaskRun): Record<string, string> {
  return {
    ...task.env,
    ...(isBuiltinTask(task) && 'env' in task.spec ? task.spec.env : {}),
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
