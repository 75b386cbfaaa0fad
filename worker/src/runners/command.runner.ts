import type { RunAs } from '../run-as';
import { bestSpawner, type Spawner } from './spawner';
import { startProcessTask, spawnError, type ProcessRunnerOptions } from './process-task';
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
  private readonly timeoutGraceMs: number;
  private readonly runAs: RunAs | null;
  private readonly spawner: Spawner;
  /** Read once: process.env is slow to walk, and a worker's own environment does not change. */
  private readonly inherited = inheritedEnv();

  constructor(options: ProcessRunnerOptions = {}) {
    this.timeoutGraceMs = options.timeoutGraceMs ?? 5000;
    this.runAs = options.runAs ?? null;
    this.spawner = options.spawner ?? bestSpawner();
  }

  start(task: TaskRunFor<'command'>, io: RunnerIO): RunningTask {
    const { spec } = task;
    const { file, args } = commandLine(spec);
    return startProcessTask(
      {
        file,
        args,
        env: { ...this.inherited, ...taskEnv(task) },
        cwd: spec.cwd,
        timeoutSeconds: task.timeoutSeconds,
        timeoutGraceMs: this.timeoutGraceMs,
        runAs: this.runAs,
        spawner: this.spawner,
        spawnError: (cause) => spawnError('command', file, spec.cwd, cause),
      },
      io,
    );
  }
}
