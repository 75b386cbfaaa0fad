import {
  coerceError,
  parseEvent,
  type RunnerName,
  type SerializedError,
  type TaskKillAck,
  type TaskRun,
  type TaskRunAck,
  type TaskUpdate,
} from '@cronfleet/shared';
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher';
import type { Outbox } from './outbox';
import type { Runner, RunnerResult, RunningTask } from './runners/runner';

/** Options of {@link TaskSupervisor}. */
export interface SupervisorOptions {
  /** Most tasks running at once; more are refused with `WorkerAtCapacity`. */
  capacity: number;
  /** The runners this worker offers, one per name. */
  runners: readonly Runner[];
  outbox: Outbox;
  log: (line: string) => void;
  output?: OutputBatcherOptions;
}

interface Entry {
  readonly task: TaskRun;
  readonly running: RunningTask;
  readonly output: OutputBatcher;
  readonly startedAtMs: number;
  /** Set when the worker itself ends the task on shutdown; reported as the `killed` error. */
  shutdown: SerializedError | null;
}

/**
 * Owns the running tasks: accepts or refuses `task:run`, starts the runner, streams its output and
 * reports each task's final state through the outbox. Once draining it refuses new tasks for good.
 */
export class TaskSupervisor {
  private readonly tasks = new Map<number, Entry>();
  private readonly runners: ReadonlyMap<RunnerName, Runner>;
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SupervisorOptions) {
    this.runners = new Map(options.runners.map((r) => [r.name, r]));
  }

  get runnerNames(): RunnerName[] {
    return [...this.runners.keys()];
  }

  runningTaskIds(): number[] {
    return [...this.tasks.keys()];
  }

  handleRun(raw: unknown, ack: (res: TaskRunAck) => void): void {
    const parsed = parseEvent('task:run', raw);
    if (!parsed.ok) {
      this.options.log(`refused task:run: ${parsed.error.message}`);
      return ack({ accepted: false, error: parsed.error });
    }
    const task = parsed.value;
    // Already running, or finished with its result still on the way: the server re-sent the same task.
    if (this.tasks.has(task.taskId) || this.options.outbox.hasUpdateFor(task.taskId)) return ack({ accepted: true });
    const refusal = this.refusal(task);
    if (refusal) return ack({ accepted: false, error: refusal });
    const runner = this.runners.get(task.runner) as Runner;

    ack({ accepted: true });
    this.options.outbox.sendUpdate({ taskId: task.taskId, status: 'running', atMs: Date.now() });
    const output = new OutputBatcher(task.taskId, (m) => this.options.outbox.sendOutput(m), this.options.output);
    let running: RunningTask;
    try {
      running = runner.start(task, { output: (text) => output.write(text) });
    } catch (e) {
      const failed: RunnerResult = { status: 'failed', error: coerceError(e, 'RunnerFailed') };
      running = { done: Promise.resolve(failed), stop() {}, kill() {} };
    }
    const entry: Entry = { task, running, output, startedAtMs: Date.now(), shutdown: null };
    this.tasks.set(task.taskId, entry);
    this.options.log(`task ${task.taskId}${task.cronjobName ? ` (${task.cronjobName})` : ''} started: ${summary(task)}`);
    running.done
      .catch((e: unknown): RunnerResult => ({ status: 'failed', error: coerceError(e, 'RunnerFailed') }))
      .then((result) => this.finish(entry, result));
  }

  handleKill(raw: unknown, ack: (res: TaskKillAck) => void): void {
    const parsed = parseEvent('task:kill', raw);
    if (!parsed.ok) {
      this.options.log(`ignored task:kill: ${parsed.error.message}`);
      return ack({ found: false });
    }
    const entry = this.tasks.get(parsed.value.taskId);
    if (!entry) return ack({ found: false });
    this.options.log(`task ${parsed.value.taskId}: kill requested${parsed.value.reason ? `: ${parsed.value.reason}` : ''}`);
    entry.running.kill();
    ack({ found: true });
  }

  /** From now on every task:run is refused with `WorkerDraining`. */
  drain(): void {
    this.draining = true;
  }

  /** Stops every running task (SIGTERM, then SIGKILL after the runner's grace), reporting `error`. */
  stopAll(error: SerializedError): void {
    for (const entry of this.tasks.values()) {
      entry.shutdown ??= error;
      entry.running.stop();
    }
  }

  /** Kills every running task now, reporting `error`. */
  killAll(error: SerializedError): void {
    for (const entry of this.tasks.values()) {
      entry.shutdown ??= error;
      entry.running.kill();
    }
  }

  /** Resolves once no task runs (at once when none does). */
  whenIdle(): Promise<void> {
    if (this.tasks.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private refusal(task: TaskRun): SerializedError | null {
    if (this.draining) {
      return { code: 'WorkerDraining', message: 'worker is shutting down and takes no new tasks', retryable: true };
    }
    if (!this.runners.has(task.runner)) {
      return { code: 'RunnerNotSupported', message: `this worker has no '${task.runner}' runner`, retryable: true };
    }
    if (this.tasks.size >= this.options.capacity) {
      return { code: 'WorkerAtCapacity', message: `worker runs ${this.tasks.size} of ${this.options.capacity} tasks`, retryable: true };
    }
    return null;
  }

  private finish(entry: Entry, result: RunnerResult): void {
    const { taskId } = entry.task;
    entry.output.flush();
    const update: TaskUpdate = {
      taskId,
      status: result.status,
      atMs: Date.now(),
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      error: result.status === 'killed' && entry.shutdown ? entry.shutdown : (result.error ?? null),
    };
    this.tasks.delete(taskId);
    this.options.outbox.sendUpdate(update);
    const seconds = ((update.atMs - entry.startedAtMs) / 1000).toFixed(1);
    const detail = update.error ? `: ${update.error.code}: ${update.error.message}`
      : update.signal ? `, signal ${update.signal}`
      : update.status === 'failed' ? `, exit code ${update.exitCode}` : '';
    this.options.log(`task ${taskId} ${update.status}${detail} after ${seconds} s`);
    if (this.tasks.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** `command pg_dump -Fc "my db"`, cut at 200 characters: enough to recognise the task in a log. */
function summary(task: TaskRun): string {
  const words = [task.spec.command, ...task.spec.args].map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w)));
  const line = `${task.runner} ${words.join(' ')}`;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
