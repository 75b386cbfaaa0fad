import { basename } from 'node:path';
import { isBuiltinTask, type SerializedError, type TaskRun } from '@cronfleet/shared';
import { SHELL, commandLine } from './runners/command.runner';

const OPTION = '--allowed-commands / CRONFLEET_WORKER_ALLOWED_COMMANDS';

/**
 * The programs a worker started with `--allowed-commands` may run. A bare name (`pg_dump`) allows
 * that program from any directory (matched by basename, so `sh` allows `/bin/sh`); an absolute path
 * (`/usr/local/bin/backup`) allows exactly that path. Command tasks are judged by their command, or
 * with `shell: true` by the shell (`/bin/sh`); script tasks by their interpreter; runners that start
 * no local program (http, docker) are not limited, nor are plugin runners (code the operator chose
 * to load into the worker).
 */
export class CommandAllowList {
  private readonly names: ReadonlySet<string>;
  private readonly paths: ReadonlySet<string>;

  /** `entries`: bare names and absolute paths, as validated by the worker's config. */
  constructor(private readonly entries: readonly string[]) {
    this.names = new Set(entries.filter((e) => !e.startsWith('/')));
    this.paths = new Set(entries.filter((e) => e.startsWith('/')));
  }

  allows(program: string): boolean {
    return program.startsWith('/') ? this.paths.has(program) || this.names.has(basename(program)) : this.names.has(basename(program));
  }

  /** Why `task` may not run here (`CommandNotAllowed`), or null when it may. */
  refusal(task: TaskRun): SerializedError | null {
    if (!isBuiltinTask(task)) return null;
    let program: string;
    let what: string;
    if (task.runner === 'command') {
      program = commandLine(task.spec).file;
      what = task.spec.shell ? `shell commands run ${SHELL}, which` : `command '${program}'`;
    } else if (task.runner === 'script') {
      program = task.spec.interpreter;
      what = `interpreter '${program}'`;
    } else {
      return null;
    }
    if (this.allows(program)) return null;
    const allowed = this.entries.join(', ');
    // Retryable: another worker of the fleet may allow it.
    return { code: 'CommandNotAllowed', message: `${what} is not allowed on this worker (${OPTION}: ${allowed})`, retryable: true };
  }
}
