import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { runAsEnv, type RunAs } from '../run-as';
import type { Result, execa as ExecaFn } from 'execa' with { 'resolution-mode': 'import' };
import type { SerializedError } from '@cronfleet/shared';
import { signalProcessGroup } from './process-group';
import type { RunnerIO, RunnerResult, RunningTask } from './runner';

// execa 9 is ESM-only; Node >= 20.19 loads it with require(), which TypeScript's node16 mode only
// allows for type imports, so the value comes through a plain require.
const { execa } = require('execa') as { execa: typeof ExecaFn };

/** Options of the runners that start a local process (`command`, `script`). */
export interface ProcessRunnerOptions {
  /** After the SIGTERM of a timeout, milliseconds before the group gets SIGKILL. Default 5000. */
  timeoutGraceMs?: number;
  /** Start tasks as this account (`--run-as`) instead of the worker's own. */
  runAs?: RunAs | null;
}

/** One local process to run as a task. */
export interface ProcessTaskSpec {
  file: string;
  args: readonly string[];
  /** The whole environment of the process: nothing is inherited beyond it. */
  env: Record<string, string>;
  cwd?: string;
  /** The account the process runs as; absent: the worker's. */
  runAs?: RunAs | null;
  /** Stop the process (status `timeout`) after this many seconds; null: no limit. */
  timeoutSeconds: number | null;
  timeoutGraceMs: number;
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

  let subprocess: ReturnType<typeof execa>;
  try {
    subprocess = execa(spec.file, spec.args, {
      detached: true,
      shell: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      cleanup: false,
      extendEnv: false,
      env: spec.runAs ? { ...spec.env, ...runAsEnv(spec.runAs) } : spec.env,
      cwd: spec.cwd,
      ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
    });
  } catch (e) {
    const done = settle({ status: 'failed', exitCode: null, error: spec.spawnError(e) });
    return { done, stop() {}, kill() {} };
  }
  const pid = subprocess.pid;

  pipeDecoded(subprocess.stdout, io);
  pipeDecoded(subprocess.stderr, io);
  subprocess.on('exit', () => {
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

  const done = subprocess
    .then(
      (result): RunnerResult => {
        clearTimeout(timeoutTimer);
        clearTimeout(graceTimer);
        if (pid === undefined) return { status: 'failed', exitCode: null, error: spec.spawnError(result.cause ?? result) };
        return toResult(result, ending);
      },
      (e: unknown): RunnerResult => ({ status: 'failed', exitCode: null, error: spec.spawnError(e) }),
    )
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

function toResult(result: Result, ending: 'timeout' | 'killed' | null): RunnerResult {
  const exitCode = result.exitCode ?? null;
  const signal = result.signal ?? null;
  if (ending) return { status: ending, exitCode, signal };
  if (exitCode === 0) return { status: 'success', exitCode, signal };
  if (exitCode === null && signal === null) {
    // Neither an exit code nor a signal: execa failed around the process (e.g. a stream error).
    return { status: 'failed', exitCode, signal, error: { code: 'RunnerFailed', message: result.shortMessage ?? 'unknown failure', retryable: false } };
  }
  return { status: 'failed', exitCode, signal };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
