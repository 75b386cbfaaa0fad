import { coerceError, type PluginTaskRun, type SerializedError } from '@cronfleet/shared';
import { timeoutError, type PluginRunner, type RunnerIO, type RunnerResult, type RunningTask } from '../runners/runner';

/** After `kill()`, how long a plugin's task gets to settle `done` before the worker stops waiting for it. */
export const PLUGIN_KILL_WAIT_MS = 5000;
/** After the stop of a timeout, milliseconds before the worker calls `kill()` (as command tasks get SIGKILL). */
export const PLUGIN_TIMEOUT_GRACE_MS = 5000;

const STATUSES: ReadonlySet<string> = new Set(['success', 'failed', 'timeout', 'killed']);

export interface PluginGuardOptions {
  log: (line: string) => void;
  /** Default {@link PLUGIN_KILL_WAIT_MS}. */
  killWaitMs?: number;
  /** Default {@link PLUGIN_TIMEOUT_GRACE_MS}. */
  timeoutGraceMs?: number;
}

/**
 * Holds a plugin runner to the runner contract, so that a plugin's mistakes end its own task and
 * never the worker: a throwing or asynchronous `validate` refuses the task, a throwing `start` or a
 * malformed `RunningTask` or result fails it (`PluginFailed`), output after the end is dropped.
 *
 * The worker owns the escalation, whatever the plugin implements: `timeoutSeconds` is a stop with a
 * 5 s grace (status `timeout`); a stop whose grace passes becomes a `kill()`; and 5 s after a
 * `kill()` the task is reported `killed` (`PluginUnresponsive` in the log) even if the plugin never
 * settles `done`, so a drain or a stop of the worker cannot hang on it.
 */
export class PluginGuard {
  readonly name: string;
  private readonly killWaitMs: number;
  private readonly timeoutGraceMs: number;

  constructor(
    private readonly plugin: PluginRunner,
    private readonly options: PluginGuardOptions,
  ) {
    this.name = plugin.name;
    this.killWaitMs = options.killWaitMs ?? PLUGIN_KILL_WAIT_MS;
    this.timeoutGraceMs = options.timeoutGraceMs ?? PLUGIN_TIMEOUT_GRACE_MS;
  }

  /** `InvalidSpec` with the plugin's message when its `validate` refuses the spec; null when it accepts (or has none). */
  refusal(task: PluginTaskRun): SerializedError | null {
    if (typeof this.plugin.validate !== 'function') return null;
    let answer: unknown;
    try {
      answer = this.plugin.validate(task.spec);
    } catch (e) {
      return { code: 'InvalidSpec', message: coerceError(e).message || `spec: refused by the ${this.name} runner`, retryable: false };
    }
    if (answer === undefined || answer === null || answer === true) return null;
    if (typeof (answer as { then?: unknown }).then === 'function') {
      return { code: 'PluginFailed', message: `plugin runner '${this.name}': validate() returned a promise; it must answer at once`, retryable: false };
    }
    const message = typeof answer === 'string' && answer.trim() ? answer : `spec: refused by the ${this.name} runner`;
    return { code: 'InvalidSpec', message, retryable: false };
  }

  start(task: PluginTaskRun, io: RunnerIO): RunningTask {
    const { name } = this;
    const log = this.options.log;
    let settled = false;
    let ending: 'killed' | 'timeout' | null = null;
    let killed = false;
    let killAtMs = Infinity;
    let graceTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let abandonTimer: NodeJS.Timeout | undefined;
    let resolveDone!: (result: RunnerResult) => void;
    const done = new Promise<RunnerResult>((resolve) => (resolveDone = resolve));
    const settle = (result: RunnerResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      clearTimeout(timeoutTimer);
      clearTimeout(abandonTimer);
      // The worker's own timeout ended it: say so, unless the plugin said more.
      const limit = task.timeoutSeconds;
      resolveDone(result.status === 'timeout' && ending === 'timeout' && !result.error && limit !== null ? { ...result, error: timeoutError(limit) } : result);
    };
    const failed = (message: string): RunningTask => {
      settle({ status: 'failed', exitCode: null, signal: null, error: { code: 'PluginFailed', message: `plugin runner '${name}': ${message}`, retryable: false } });
      return { done, stop() {}, kill() {} };
    };

    const guardedIO: RunnerIO = {
      output: (text) => {
        if (!settled && text !== undefined && text !== null) io.output(typeof text === 'string' ? text : String(text));
      },
      room: () => io.room?.() ?? null,
    };
    let inner: RunningTask;
    try {
      inner = this.plugin.start(task, guardedIO);
    } catch (e) {
      return failed(`start() threw: ${coerceError(e).message}`);
    }
    if (!isRunningTask(inner)) return failed('start() must return { done: Promise, stop(graceMs), kill() }');

    const call = (what: 'stop' | 'kill', fn: () => void): void => {
      try {
        fn();
      } catch (e) {
        log(`plugin runner '${name}': ${what}() of task ${task.taskId} threw: ${coerceError(e).message}`);
      }
    };
    const kill = (): void => {
      if (settled || killed) return;
      killed = true;
      ending ??= 'killed';
      clearTimeout(graceTimer);
      call('kill', () => inner.kill());
      abandonTimer = setTimeout(() => {
        log(`plugin runner '${name}': task ${task.taskId} did not end within ${this.killWaitMs / 1000} s of kill(); reporting it ${ending} without waiting any longer`);
        settle({ status: ending ?? 'killed', exitCode: null, signal: null, error: { code: 'PluginUnresponsive', message: `plugin runner '${name}' did not end the task after kill()`, retryable: false } });
      }, this.killWaitMs);
    };
    // The plugin's stop() is called once; a later stop with a shorter grace (a timeout, then the
    // server's stop) only brings the kill() closer, never pushes it back.
    const stop = (why: 'killed' | 'timeout', graceMs: number): void => {
      if (settled || killed) return;
      if (!ending) {
        ending = why;
        call('stop', () => inner.stop(Math.max(0, graceMs)));
      }
      const atMs = Date.now() + Math.max(0, graceMs);
      if (atMs >= killAtMs) return;
      killAtMs = atMs;
      clearTimeout(graceTimer);
      graceTimer = setTimeout(kill, atMs - Date.now());
    };
    if (task.timeoutSeconds !== null) timeoutTimer = setTimeout(() => stop('timeout', this.timeoutGraceMs), task.timeoutSeconds * 1000);

    Promise.resolve(inner.done).then(
      (result) => settle(normalise(name, result, ending)),
      (e: unknown) => settle(ending ? { status: ending, exitCode: null, signal: null } : { status: 'failed', exitCode: null, signal: null, error: coerceError(e, 'PluginFailed') }),
    );
    return {
      done,
      ...(typeof inner.pid === 'number' ? { pid: inner.pid } : {}),
      stop: (graceMs) => stop('killed', graceMs),
      kill,
    };
  }
}

function isRunningTask(x: unknown): x is RunningTask {
  const t = x as Partial<RunningTask> | null;
  return typeof t === 'object' && t !== null && typeof (t.done as { then?: unknown } | undefined)?.then === 'function' && typeof t.stop === 'function' && typeof t.kill === 'function';
}

/**
 * The plugin's result as the wire takes it. A task the worker ended (stop, kill, timeout) is
 * reported as such when the plugin says `killed` or `timeout`; one that finished anyway keeps its own.
 */
function normalise(name: string, raw: unknown, ending: 'killed' | 'timeout' | null): RunnerResult {
  const r = raw as Partial<Record<keyof RunnerResult, unknown>> | null;
  if (typeof r !== 'object' || r === null || typeof r.status !== 'string' || !STATUSES.has(r.status)) {
    const got = typeof r === 'object' && r !== null ? `status ${JSON.stringify(r.status)}` : String(raw);
    return {
      status: ending ?? 'failed',
      exitCode: null,
      signal: null,
      error: ending ? null : { code: 'PluginFailed', message: `plugin runner '${name}' ended the task with ${got}; expected status 'success', 'failed', 'timeout' or 'killed'`, retryable: false },
    };
  }
  const status = ending && (r.status === 'killed' || r.status === 'timeout') ? ending : (r.status as RunnerResult['status']);
  return {
    status,
    exitCode: typeof r.exitCode === 'number' && Number.isInteger(r.exitCode) ? r.exitCode : null,
    signal: typeof r.signal === 'string' && r.signal ? r.signal : null,
    error: r.error === undefined || r.error === null ? null : coerceError(r.error, 'PluginFailed'),
  };
}
