import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';

/** The PATH searched when the worker has none, as the native spawner (worker/native/spawn.c) does. */
export const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** What resolution needs from the file system; {@link realFileSystem} in the worker, plain maps in tests. */
export interface ProgramLookup {
  /** True when `path` (symlinks followed) is a regular file this process may execute. */
  isExecutableFile(path: string): boolean;
  /** `path` with every symlink followed, absolute; null when it does not exist. */
  realpath(path: string): string | null;
}

/**
 * A program as it will be executed: `path`, its real path (no symlink left anywhere in it), is what
 * is given to exec, so nothing between the check and the exec (a task's PATH, a symlink swapped
 * meanwhile) can change the file; `name` is the basename of what the task asked for, which becomes
 * the basename of argv[0]: multi-call binaries (busybox) choose what to do by it.
 */
export interface ResolvedProgram {
  /** What the task asked for (`true`, `./echo`, `/usr/bin/printf`): argv[0]. */
  requested: string;
  /** Basename of `requested`. */
  name: string;
  /** Real absolute path of the file found. */
  path: string;
}

/** Where a program is looked up: the directory relative paths start from, and the PATH bare names are searched in. */
export interface LookupContext {
  /** Absolute: relative paths (`./echo`, `bin/x`) are resolved against it, as exec does after the task's chdir. */
  cwd: string;
  /** The worker's own PATH (never the task's); relative and empty entries are skipped. */
  path: string;
}

/**
 * Finds the file `program` names, as execvp would but in `context`: a name holding a '/' is a path
 * (relative to `context.cwd`), a bare name the first executable regular file along `context.path`.
 * Then follows every symlink. Null when nothing executable is found.
 */
export function resolveProgram(program: string, context: LookupContext, fs: ProgramLookup): ResolvedProgram | null {
  if (program === '') return null;
  const candidates = program.includes('/')
    ? [resolve(context.cwd, program)]
    : context.path
        .split(':')
        // A relative PATH entry would make the task's cwd choose the program.
        .filter((dir) => isAbsolute(dir))
        .map((dir) => resolve(dir, program));
  for (const candidate of candidates) {
    if (!fs.isExecutableFile(candidate)) continue;
    const path = fs.realpath(candidate);
    if (path !== null) return { requested: program, name: basename(program), path };
  }
  return null;
}

/** The worker's file system. */
export const realFileSystem: ProgramLookup = {
  isExecutableFile(path) {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return null;
    }
  },
};
