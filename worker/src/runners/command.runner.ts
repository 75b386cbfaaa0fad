import { processRunnerSettings, startProcessTask, spawnError, type ProcessRunnerOptions, type ProcessRunnerSettings } from './process-task';
import type { ResolvedProgram } from '../program-resolution';
import { inheritedEnv, taskEnv, type Runner, type RunnerIO, type RunningTask, type TaskRunFor } from './runner';

/** The shell of `shell: true` commands (and what the allow-list checks for them). */
export const SHELL = '/bin/sh';

/** The program and arguments a command task starts: its command, or with `shell: true` the shell. */
export function commandLine(spec: TaskRunFor<'command'>['spec']): { file: string; args: string[] } {
  // `sh -c line name args…`: the word after the line is $0, so the spec's args become $1, $2, …
  return spec.shell ? { file: SHELL, args: ['-c', spec.command, 'sh', ...spec.args] } : { file: spec.command, args: spec.args };
}

/**
 * Runs `spec.command` with `spec.args`, without a shell (or through `/bin/sh -c` with `shell: true`),
 * stdin closed, in a process group of its own: see {@link startProcessTask}.
 */
export class CommandRunner implements Runner<'command'> {
  readonly name = 'command';
  private readonly settings: ProcessRunnerSettings;
  /** Read once: process.env is slow to walk, and a worker's own environment does not change. */
  private readonly inherited = inheritedEnv();

  constructor(options: ProcessRunnerOptions = {}) {
    this.settings = processRunnerSettings(options);
  }

  start(task: TaskRunFor<'command'>, io: RunnerIO, program?: ResolvedProgram | null): RunningTask {
    const { spec } = task;
    const { file, args } = commandLine(spec);
    return startProcessTask(
      {
        // The allow-list's real path: the task's PATH cannot make another file run than the one checked.
        ...(program ? { file: program.path, argv0: file } : { file }),
        args,
        env: { ...this.inherited, ...taskEnv(task) },
        cwd: spec.cwd,
        timeoutSeconds: task.timeoutSeconds,
        ...this.settings,
        spawnError: (cause) => spawnError('command', file, spec.cwd, cause),
      },
      io,
    );
  }
}
