import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coerceError } from '@cronfleet/shared';
import { processRunnerSettings, startProcessTask, spawnError, type ProcessRunnerOptions, type ProcessRunnerSettings } from './process-task';
import type { ResolvedProgram } from '../program-resolution';
import { inheritedEnv, taskEnv, type Runner, type RunnerIO, type RunningTask, type TaskRunFor } from './runner';

/**
 * Writes `spec.content` to a private temp file (a fresh directory under the OS temp dir, both mode
 * 0700) and runs `<interpreter> <file> ...args` as the `command` runner runs a command: own process
 * group, stop, kill and timeout alike. The directory is removed once the task has ended, however it
 * ended; the task's `done` settles only after that.
 *
 * The file is written synchronously: `start` must return a task that `stop` and `kill` can act on at
 * once, and a script is at most 1 MiB.
 */
export class ScriptRunner implements Runner<'script'> {
  readonly name = 'script';
  private readonly settings: ProcessRunnerSettings;
  /** Read once: process.env is slow to walk, and a worker's own environment does not change. */
  private readonly inherited = inheritedEnv();

  constructor(options: ProcessRunnerOptions = {}) {
    this.settings = processRunnerSettings(options);
  }

  start(task: TaskRunFor<'script'>, io: RunnerIO, program?: ResolvedProgram | null): RunningTask {
    const { spec } = task;
    let dir: string | undefined;
    let file: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'cronfleet-script-'));
      chmodSync(dir, 0o700);
      file = join(dir, 'script');
      // Exclusive create, then chmod: the umask could only narrow the mode, but be explicit.
      writeFileSync(file, spec.content, { mode: 0o700, flag: 'wx' });
      chmodSync(file, 0o700);
      // Private to the account the task runs as, not readable by the worker's other tasks' users.
      const { runAs } = this.settings;
      if (runAs) {
        chownSync(dir, runAs.uid, runAs.gid);
        chownSync(file, runAs.uid, runAs.gid);
      }
    } catch (e) {
      if (dir) rmSync(dir, { recursive: true, force: true });
      const cause = coerceError(e);
      const error = { code: 'ScriptNotWritten', message: `could not write the script to a temp file: ${cause.message}`, retryable: true };
      return { done: Promise.resolve({ status: 'failed', exitCode: null, error }), stop() {}, kill() {} };
    }
    const scriptDir = dir;
    return startProcessTask(
      {
        ...(program ? { file: program.path, argv0: spec.interpreter } : { file: spec.interpreter }),
        args: [file, ...spec.args],
        env: { ...this.inherited, ...taskEnv(task) },
        cwd: spec.cwd,
        timeoutSeconds: task.timeoutSeconds,
        ...this.settings,
        spawnError: (cause) => spawnError('interpreter', spec.interpreter, spec.cwd, cause),
        cleanup: async () => {
          try {
            await rm(scriptDir, { recursive: true, force: true });
          } catch (e) {
            // The script may hold secrets (or be one): say so where the job's owner will look.
            io.output(`\n[cronfleet: could not remove the script's temp directory ${scriptDir}: ${coerceError(e).message}]\n`);
          }
        },
      },
      io,
    );
  }
}
