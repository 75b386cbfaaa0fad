import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Result, execa as ExecaFn } from 'execa' with { 'resolution-mode': 'import' };
import type { SerializedError } from '@cronfleet/shared';
import { signalProcessGroup } from './process-group';
import { taskEnv, type Runner, type RunnerIO, type RunnerResult, type RunningTask, type TaskRunFor } from './runner';

// execa 9 is ESM-only; Node >= 20.19 loads it with require(), which TypeScript's node16 mode only
// allows for type imports, so the value comes through a plain require.
const { execa } = require('execa') as { execa: typeof ExecaFn };

/** Options of the `command` runner. */
export interface CommandRunnerOptions {
  /** After the SIGTERM of a timeout, milliseconds before the group gets SIGKILL. Default 5000. */
  timeoutGraceMs?: number;
}

/**
 * Runs `spec.command` with `spec.args`, no shell, stdin closed, in a process group of its own.
 *
 * Process groups: stop, timeout and kill signal the whole group, and when the main process exits by
 * itself whatever is left of its group is SIGKILLed too, so no process of a finished task outlives it
 * (`sh -c 'sleep 30 & echo done'` ends at once, without an orphaned sleep holding the output pipe).
 * A process that moves itself to another group or session (setsid, daemons) escapes this.
 */
export class CommandRunner implements Runner<'command'> {
  readonly name = 'command';
  private readonly timeoutGraceMs: number;

  constructor(options: CommandRunnerOptions = {}) {
    this.timeoutGraceMs = options.timeoutGraceMs ?? 5000;
  }

  start(task: TaskRunFor<'command'>, io: RunnerIO): RunningTask {
    const { spec } = task;
    let ending: 'timeout' | 'killed' | null = null;
    let exited = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let killAtMs = Infinity;
    let timeoutTimer: NodeJS.Timeout | undefined;

    let subprocess: ReturnType<typeof execa>;
    try {
      subprocess = execa(spec.command, spec.args, {
        detached: true,
        shell: false,
        stdin: 'ignore',
        buffer: false,
        reject: false,
        cleanup: false,
        extendEnv: true,
        env: { ...spec.env, ...taskEnv(task) },
        cwd: spec.cwd,
      });
    } catch (e) {
      const error = spawnError(spec.command, spec.cwd, e);
      return { done: Promise.resolve({ status: 'failed', exitCode: null, error }), stop() {}, kill() {} };
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
    if (task.timeoutSeconds !== null) {
      timeoutTimer = setTimeout(() => terminate('timeout', this.timeoutGraceMs), task.timeoutSeconds * 1000);
    }

    const done = subprocess.then((result): RunnerResult => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      if (pid === undefined) {
        return { status: 'failed', exitCode: null, error: spawnError(spec.command, spec.cwd, result.cause ?? result) };
      }
      return toResult(result, ending);
    }, (e: unknown): RunnerResult => ({ status: 'failed', exitCode: null, error: spawnError(spec.command, spec.cwd, e) }));

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
}

function pipeDecoded(stream: Readable | null, io: RunnerIO): void {
  if (!stream) return;
  // One decoder per stream: a character split across two chunks is held back, not mangled.
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (text) io.output(text);
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

/** Turns a failure to start the process into an error a person can act on. */
function spawnError(command: string, cwd: string | undefined, cause: unknown): SerializedError {
  const errno = (cause as { code?: unknown } | null)?.code;
  if (cwd !== undefined && !isDirectory(cwd)) {
    return { code: 'InvalidCwd', message: `working directory does not exist or is not a directory: ${cwd}`, retryable: false };
  }
  if (errno === 'ENOENT') {
    return { code: 'CommandNotFound', message: `ENOENT: command not found: ${command}`, retryable: false };
  }
  if (errno === 'EACCES') {
    return { code: 'CommandNotExecutable', message: `EACCES: permission denied: ${command}`, retryable: false };
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { code: 'SpawnFailed', message: `could not start ${command}: ${detail}`, retryable: false };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
