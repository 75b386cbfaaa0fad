import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { runAsEnv, type RunAs } from '../run-as';
import type { SerializedError } from '@cronfleet/shared';
import { signalProcessGroup } from './process-group';
import { bestSpawner, type ProcessExit, type SpawnedProcess, type Spawner } from './spawner';
import { timeoutError, type RunnerIO, type RunnerResult, type RunningTask } from './runner';

/** Options of the runners that start a local process (`command`, `script`). */
export interface ProcessRunnerOptions {
  /** After the SIGTERM of a timeout, milliseconds before the group gets SIGKILL. Default 5000. */
  timeoutGraceMs?: number;
  /** Start tasks as this account (`--run-as`) instead of the worker's own. */
  runAs?: RunAs | null;
  /** How processes are started (`--spawn`); default {@link bestSpawner}. */
  spawner?: Spawner;
}

/** {@link ProcessRunnerOptions} with their defaults: what a runner hands every {@link startProcessTask}. */
export type ProcessRunnerSettings = Required<ProcessRunnerOptions>;

export function processRunnerSettings(options: ProcessRunnerOptions): ProcessRunnerSettings {
  return { timeoutGraceMs: options.timeoutGraceMs ?? 5000, runAs: options.runAs ?? null, spawner: options.spawner ?? bestSpawner() };
}

/** One local process to run as a task. */
export interface ProcessTaskSpec {
  file: string;
  /** argv[0]; default `file`. */
  argv0?: string;
  args: readonly string[];
  /** The whole environment of the process: nothing is inherited beyond it. */
  env: Record<string, string>;
  cwd?: string;
  /** The account the process runs as; absent: the worker's. */
  runAs?: RunAs | null;
  /** Stop the process (status `timeout`) after this many seconds; null: no limit. */
  timeoutSeconds: number | null;
  timeoutGraceMs: number;
  spawner: Spawner;
  /** Turns a failure to start the process into an error a person can act on. */
  spawnError(cause: unknown): SerializedError;
  /**
   * Runs once the process is gone (or never started), before `done` settles; must not throw.
   * Output it writes to `io` still belongs to the task.
   */
  cleanup?(): Promise<void>;
}

/**
 * Runs `spec.file` with `spec.args`, no shell, stdin closed, in a process group of its own: the
 * machinery the `command` and `script` runners share.
 *
 * Process groups: stop, timeout and kill signal the whole group, and when the main process exits by
 * itself whatever is left of its group is SIGKILLed too, so no process of a finished task outlives it
 * (`sh -c 'sleep 30 & echo done'` ends at once, without an orphaned sleep holding the output pipe).
 * A process that moves itself to another group or session (setsid, daemons) escapes this.
 */
export function startProcessTask(spec: ProcessTaskSpec, io: RunnerIO): RunningTask {
  let ending: 'timeout' | 'killed' | null = null;
  let exited = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let killAtMs = Infinity;
  let timeoutTimer: NodeJS.Timeout | undefined;
  const settle = async (result: RunnerResult): Promise<RunnerResult> => {
    await spec.cleanup?.();
    return result;
  };

  // A spawner, not execa: the worker spawns thousands of processes a second under load, and execa's
  // wrapping cost as much CPU again as the spawn itself (bench:e2e, docs/benchmarks.md).
  let subprocess: SpawnedProcess;
  try {
    subprocess = spec.spawner.start({
      file: spec.file,
      ...(spec.argv0 !== undefined ? { argv0: spec.argv0 } : {}),
      args: spec.args,
      env: spec.runAs ? { ...spec.env, ...runAsEnv(spec.runAs) } : spec.env,
      cwd: spec.cwd,
      ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
    });
  } catch (e) {
    const done = settle({ status: 'failed', exitCode: null, error: spec.spawnError(e) });
    return { done, stop() {}, kill() {} };
  }
  const pid = subprocess.pid;

  for (const output of subprocess.outputs) pipeDecoded(output, io);
  subprocess.onExit(() => {
    exited = true;
    clearTimeout(graceTimer);
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
  });

  // SIGTERM once; a later stop with a shorter grace (a timeout, then the server's stop) only brings
  // the SIGKILL closer, never pushes it back.
  const terminate = (why: 'timeout' | 'killed', graceMs: number): void => {
    if (exited || pid === undefined) return;
    if (!ending) {
      ending = why;
      signalProcessGroup(pid, 'SIGTERM');
    }
    const atMs = Date.now() + Math.max(0, graceMs);
    if (atMs >= killAtMs) return;
    killAtMs = atMs;
    clearTimeout(graceTimer);
    graceTimer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), atMs - Date.now());
  };
  if (spec.timeoutSeconds !== null) {
    timeoutTimer = setTimeout(() => terminate('timeout', spec.timeoutGraceMs), spec.timeoutSeconds * 1000);
  }

  const done = subprocess.closed
    .then(
      (exit) => toResult(exit, ending, spec.timeoutSeconds),
      (e: unknown): RunnerResult => ({ status: 'failed', exitCode: null, error: spec.spawnError(e) }),
    )
    .then((result) => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      return result;
    })
    .then(settle);

  return {
    done,
    pid,
    stop: (graceMs) => terminate('killed', graceMs),
    kill: () => {
      if (exited || pid === undefined) return;
      ending ??= 'killed';
      signalProcessGroup(pid, 'SIGKILL');
    },
  };
}

/** What failed to start, for {@link spawnError}'s codes and messages. */
export type SpawnTarget = 'command' | 'interpreter';

/**
 * A failure to start `file` as an error a person can act on: `CommandNotFound` with
 * `ENOENT: command not found: foo` (`InterpreterNotFound` / `interpreter not found` for scripts),
 * `…NotExecutable` for EACCES, `InvalidCwd`, else `SpawnFailed`.
 */
export function spawnError(target: SpawnTarget, file: string, cwd: string | undefined, cause: unknown): SerializedError {
  const errno = (cause as { code?: unknown } | null)?.code;
  const Target = target === 'command' ? 'Command' : 'Interpreter';
  // spawn reports a missing cwd as ENOENT too: check it first so the message names the right thing.
  if (cwd !== undefined && !isDirectory(cwd)) {
    return { code: 'InvalidCwd', message: `working directory does not exist or is not a directory: ${cwd}`, retryable: false };
  }
  if (errno === 'ENOENT') {
    return { code: `${Target}NotFound`, message: `ENOENT: ${target} not found: ${file}`, retryable: false };
  }
  if (errno === 'EACCES') {
    return { code: `${Target}NotExecutable`, message: `EACCES: permission denied: ${file}`, retryable: false };
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { code: 'SpawnFailed', message: `could not start ${file}: ${detail}`, retryable: false };
}

function pipeDecoded(stream: Readable | null, io: RunnerIO): void {
  if (!stream) return;
  // One decoder per stream: a character split across two chunks is held back, not mangled.
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (text) io.output(text);
    const wait = io.room?.();
    if (wait) {
      stream.pause();
      void wait.then(() => stream.resume());
    }
  });
  stream.on('end', () => {
    const rest = decoder.end();
    if (rest) io.output(rest);
  });
}

function toResult({ code: exitCode, signal }: ProcessExit, ending: 'timeout' | 'killed' | null, timeoutSeconds: number | null): RunnerResult {
  if (ending === 'timeout' && timeoutSeconds !== null) return { status: ending, exitCode, signal, error: timeoutError(timeoutSeconds) };
  if (ending) return { status: ending, exitCode, signal };
  if (exitCode === 0) return { status: 'success', exitCode, signal };
  return { status: 'failed', exitCode, signal };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
