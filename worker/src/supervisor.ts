import {
  coerceError,
  isBuiltinRunner,
  isBuiltinTask,
  parseBatch,
  parseEvent,
  type ParseResult,
  type SerializedError,
  type TaskKillAck,
  type TaskRun,
  type TaskRunAck,
  type TaskRunsAck,
  type TaskTracer,
  type TaskUpdate,
} from '@cronfleet/shared';
import type { AllowListVerdict, CommandAllowList } from './command-allow-list';
import { FinishedTasks } from './finished-tasks';
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher';
import type { Outbox } from './outbox';
import { PluginGuard } from './plugins/plugin-guard';
import type { PluginRunner, Runner, RunnerIO, RunnerResult, RunningTask } from './runners/runner';
import { MASK, SecretMasker } from './secret-masker';
import { endTaskSpans, startTaskSpans, type TaskSpans } from './task-spans';

/** Options of {@link TaskSupervisor}. */
export interface SupervisorOptions {
  /** Most tasks running at once; more are refused with `WorkerAtCapacity`. */
  capacity: number;
  /** The runners this worker offers, one per name: built-ins, then plugin runners (any other name), run behind a {@link PluginGuard}. */
  runners: readonly (Runner | PluginRunner)[];
  outbox: Outbox;
  log: (line: string) => void;
  /** Told about errors worth a heartbeat's `lastError`: refused tasks, tasks that could not start. */
  onError?: (code: string, message: string) => void;
  output?: OutputBatcherOptions;
  /** The only programs command and script tasks may start; null or absent: any. */
  allowList?: CommandAllowList | null;
  /** Spans of every task when tracing is on (see startTracing); null or absent: off, no tracing work at all. */
  tracer?: TaskTracer | null;
  /** This worker's name, a span attribute. */
  workerName?: string;
}

interface Entry {
  readonly task: TaskRun;
  readonly running: RunningTask;
  readonly output: OutputBatcher;
  /** Masks the task's secret values in its output and error. */
  readonly masker: SecretMasker;
  readonly startedAtMs: number;
  /** Why the task was stopped or killed (the server asked, the worker shuts down): the `killed` error. */
  ending: SerializedError | null;
  /** Tracing on only. */
  readonly spans: TaskSpans | null;
}

/**
 * Errors of a task's own definition or of what it calls, not of the worker: a spec a plugin refused,
 * an http check's unexpected status or bad redirect. The task ends with them; they stay out of the
 * heartbeat's `lastError`, which says what is wrong with the worker (a healthy worker showed a
 * one-shot task's InvalidSpec as its last error).
 */
const TASK_FAULTS: ReadonlySet<string> = new Set(['InvalidSpec', 'UnexpectedStatus', 'BadRedirect', 'TooManyRedirects']);

/**
 * Owns the running tasks: accepts or refuses `task:run`, starts the runner, streams its output and
 * reports each task's final state through the outbox. Once draining it refuses new tasks for good.
 */
export class TaskSupervisor {
  private readonly tasks = new Map<number, Entry>();
  /** Tasks whose result went to the outbox: a `task:run` of one again is acked, never run twice. */
  private readonly finished = new FinishedTasks();
  private readonly runners: ReadonlyMap<string, Runner | PluginGuard>;
  private readonly allowList: CommandAllowList | null;
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SupervisorOptions) {
    this.runners = new Map(
      options.runners.map((r) => [r.name, isBuiltinRunner(r.name) ? (r as Runner) : new PluginGuard(r as PluginRunner, { log: options.log })]),
    );
    this.allowList = options.allowList ?? null;
  }

  get runnerNames(): string[] {
    return [...this.runners.keys()];
  }

  runningTaskIds(): number[] {
    return [...this.tasks.keys()];
  }

  /** Main process of each running task that has one (taskId → pid). */
  taskPids(): Map<number, number> {
    const pids = new Map<number, number>();
    for (const [taskId, e] of this.tasks) if (e.running.pid !== undefined) pids.set(taskId, e.running.pid);
    return pids;
  }

  /** `task:runs`: each task is accepted or refused on its own; one ack answers them all, in order. */
  handleRuns(raw: unknown, ack: (res: TaskRunsAck) => void): void {
    const batch = parseBatch('task:runs', raw);
    if (!batch.ok) {
      this.options.log(`refused task:runs: ${batch.error.message}`);
      this.noteError(batch.error);
      return ack({ acks: [] });
    }
    const acks: TaskRunAck[] = [];
    for (const item of batch.items) this.handleRun(item, (a) => acks.push(a));
    ack({ acks });
  }

  /** Answers through `ack` before it returns. */
  private handleRun(parsed: ParseResult<TaskRun>, ack: (res: TaskRunAck) => void): void {
    if (!parsed.ok) {
      this.options.log(`refused task:run: ${parsed.error.message}`);
      this.noteError(parsed.error);
      return ack({ accepted: false, error: parsed.error });
    }
    const task = parsed.value;
    // Already running, or finished (its result on the way or delivered): the server re-sent the same task.
    if (this.tasks.has(task.taskId) || this.finished.has(task.taskId) || this.options.outbox.hasUpdateFor(task.taskId)) {
      return ack({ accepted: true });
    }
    const verdict = this.verdict(task);
    if (!verdict.allowed) {
      const refusal = verdict.error;
      this.noteError({ ...refusal, message: `refused task ${task.taskId}: ${refusal.message}` });
      return ack({ accepted: false, error: refusal });
    }
    const runner = this.runners.get(task.runner) as Runner | PluginGuard;

    ack({ accepted: true });
    this.options.outbox.sendUpdate({ taskId: task.taskId, status: 'running', atMs: Date.now() });
    const tracer = this.options.tracer;
    const spans = tracer ? startTaskSpans(tracer, task, this.options.workerName ?? '') : null;
    const output = new OutputBatcher(task.taskId, (m) => this.options.outbox.sendOutput(m), this.options.output);
    const masker = new SecretMasker(Object.values(task.secretEnv));
    let running: RunningTask;
    try {
      const io: RunnerIO = { output: (text) => output.write(masker.write(text)), room: () => this.options.outbox.outputRoom() };
      running = isBuiltinTask(task) ? (runner as Runner).start(task, io, verdict.program) : (runner as PluginGuard).start(task, io);
    } catch (e) {
      const failed: RunnerResult = { status: 'failed', error: coerceError(e, 'RunnerFailed') };
      running = { done: Promise.resolve(failed), stop() {}, kill() {} };
    }
    const entry: Entry = { task, running, output, masker, startedAtMs: Date.now(), ending: null, spans };
    this.tasks.set(task.taskId, entry);
    this.options.log(`task ${task.taskId}${task.cronjobName ? ` (${task.cronjobName})` : ''} started: ${summary(task, masker)}`);
    running.done
      .catch((e: unknown): RunnerResult => ({ status: 'failed', error: coerceError(e, 'RunnerFailed') }))
      .then((result) => this.finish(entry, result));
  }

  /** `task:stop`: SIGTERM to the task, SIGKILL after `graceSeconds`; acked at once. */
  handleStop(raw: unknown, ack: (res: TaskKillAck) => void): void {
    const parsed = parseEvent('task:stop', raw);
    if (!parsed.ok) {
      this.options.log(`ignored task:stop: ${parsed.error.message}`);
      this.noteError(parsed.error);
      return ack({ found: false });
    }
    const { taskId, graceSeconds, reason } = parsed.value;
    const entry = this.tasks.get(taskId);
    if (!entry) return ack({ found: false });
    this.options.log(`task ${taskId}: stop requested (SIGKILL after ${graceSeconds} s)${reason ? `: ${reason}` : ''}`);
    entry.ending ??= { code: 'TaskStopped', message: `stopped by the server: ${reason ?? 'no reason given'}`, retryable: false };
    entry.running.stop(graceSeconds * 1000);
    ack({ found: true });
  }

  /** `task:kill`: SIGKILL to the task now; acked at once. */
  handleKill(raw: unknown, ack: (res: TaskKillAck) => void): void {
    const parsed = parseEvent('task:kill', raw);
    if (!parsed.ok) {
      this.options.log(`ignored task:kill: ${parsed.error.message}`);
      this.noteError(parsed.error);
      return ack({ found: false });
    }
    const { taskId, reason } = parsed.value;
    const entry = this.tasks.get(taskId);
    if (!entry) return ack({ found: false });
    this.options.log(`task ${taskId}: kill requested${reason ? `: ${reason}` : ''}`);
    entry.ending ??= { code: 'TaskKilled', message: `killed by the server: ${reason ?? 'no reason given'}`, retryable: false };
    entry.running.kill();
    ack({ found: true });
  }

  /** From now on every task:run is refused with `WorkerDraining`. */
  drain(): void {
    this.draining = true;
  }

  /** Stops every running task (SIGTERM, then SIGKILL after `graceMs`), reporting `error`. */
  stopAll(error: SerializedError, graceMs: number): void {
    for (const entry of this.tasks.values()) {
      entry.ending ??= error;
      entry.running.stop(graceMs);
    }
  }

  /** Kills every running task now, reporting `error`. */
  killAll(error: SerializedError): void {
    for (const entry of this.tasks.values()) {
      entry.ending ??= error;
      entry.running.kill();
    }
  }

  /** Resolves once no task runs (at once when none does). */
  whenIdle(): Promise<void> {
    if (this.tasks.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private noteError(error: SerializedError): void {
    if (TASK_FAULTS.has(error.code)) return;
    this.options.onError?.(error.code, error.message);
  }

  /** Whether `task` may start now; when it may, the program the allow-list resolved for it (null: no allow-list, or none to check). */
  private verdict(task: TaskRun): AllowListVerdict {
    const refuse = (error: SerializedError): AllowListVerdict => ({ allowed: false, error });
    if (this.draining) {
      return refuse({ code: 'WorkerDraining', message: 'worker is shutting down and takes no new tasks', retryable: true });
    }
    const runner = this.runners.get(task.runner);
    if (!runner) {
      return refuse({ code: 'RunnerNotSupported', message: `this worker has no '${task.runner}' runner`, retryable: true });
    }
    if (!isBuiltinTask(task)) {
      const invalid = (runner as PluginGuard).refusal(task);
      if (invalid) return refuse(invalid);
    }
    const verdict = this.allowList?.judge(task) ?? { allowed: true, program: null };
    if (!verdict.allowed) return verdict;
    if (this.tasks.size >= this.options.capacity) {
      return refuse({ code: 'WorkerAtCapacity', message: `worker runs ${this.tasks.size} of ${this.options.capacity} tasks`, retryable: true });
    }
    return verdict;
  }

  private finish(entry: Entry, result: RunnerResult): void {
    const { taskId } = entry.task;
    entry.output.write(entry.masker.end());
    entry.output.flush();
    const ended = result.status === 'killed' && entry.ending ? entry.ending : (result.error ?? null);
    const error = ended && { ...ended, message: entry.masker.mask(ended.message) };
    const update: TaskUpdate = {
      taskId,
      status: result.status,
      atMs: Date.now(),
      exitCode: result.exitCode ?? null,
      signal: result.signal?.slice(0, 32) ?? null,
      error: error && clipError(error),
      // Only an http task's: other runners' reports stay as they were.
      ...(typeof result.httpStatus === 'number' ? { httpStatus: result.httpStatus } : {}),
    };
    // A task that never ran is the worker's trouble (bad command, bad cwd); a non-zero exit is the task's.
    if (result.status === 'failed' && result.error && error) this.noteError({ ...error, message: `task ${taskId}: ${error.message}` });
    this.tasks.delete(taskId);
    this.finished.add(taskId);
    if (entry.spans) endTaskSpans(entry.spans, update);
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

/** Keeps an error within the wire's limits, so a result is never refused for a long message. */
function clipError(error: SerializedError): SerializedError {
  const code = error.code.slice(0, 100) || 'InternalError';
  const message = error.message.length > 4000 ? `${error.message.slice(0, 3999)}…` : error.message;
  return { code, message, retryable: error.retryable };
}

/**
 * What a task runs, for the log, cut at 200 characters: `command pg_dump -Fc "my db"`,
 * `script python3 script (812 bytes)`, `http POST https://example.com/hook`, `docker alpine:3.20`,
 * `plugin runner sleep`.
 * Never env, headers or bodies; secret values are masked wherever they appear.
 */
function summary(task: TaskRun, masker: SecretMasker): string {
  const secrets = new Set(Object.values(task.secretEnv).filter((v) => v !== ''));
  const word = (w: string): string => {
    const masked = secrets.has(w) ? MASK : masker.mask(w);
    return masked === MASK || /^[\w@%+=:,./-]+$/.test(masked) ? masked : JSON.stringify(masked);
  };
  const words = (list: readonly string[]): string => list.map(word).join(' ');
  // A plugin's spec is free-form: nothing of it is known to be safe to log.
  if (!isBuiltinTask(task)) return clipLine(`plugin runner ${task.runner}`);
  switch (task.runner) {
    case 'command': {
      const { command, args, shell } = task.spec;
      return clipLine(`command ${shell ? `sh -c ${words([command, ...args])}` : words([command, ...args])}`);
    }
    case 'script': {
      const { interpreter, content, args } = task.spec;
      return clipLine(`script ${word(interpreter)} script (${Buffer.byteLength(content)} bytes)${args.length ? ` ${words(args)}` : ''}`);
    }
    case 'http':
      return clipLine(`http ${task.spec.method} ${masker.mask(withoutPassword(task.spec.url))}`);
    case 'docker':
      return clipLine(`docker ${task.spec.image}`);
  }
}

function clipLine(line: string): string {
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = MASK;
    return u.toString();
  } catch {
    return url;
  }
}
