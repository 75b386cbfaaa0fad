import { basename, resolve } from 'node:path';
import { isBuiltinTask, type SerializedError, type TaskRun } from '@cronfleet/shared';
import { SHELL, commandLine } from './runners/command.runner';
import { DEFAULT_PATH, realFileSystem, resolveProgram, type LookupContext, type ProgramLookup, type ResolvedProgram } from './program-resolution';

const OPTION = '--allowed-commands / CRONFLEET_WORKER_ALLOWED_COMMANDS';

/**
 * Environment variables a task may not set (job env, spec env or secret env) on a worker with an
 * allow-list: each makes an allowed program load or run code of the task's choosing, or look up a
 * program the task chose. Exact names, then prefixes.
 * - the dynamic loader: LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT… (`LD_`), and macOS's `DYLD_`;
 *   GLIBC_TUNABLES (CVE-2023-4911), GCONV_PATH and friends (iconv modules are loaded code);
 * - program lookup: PATH (an allowed `sh` or `env` would run whatever it names), IFS;
 * - shells: ENV and BASH_ENV (sourced at start), SHELLOPTS/BASHOPTS and PS4 (xtrace runs PS4's
 *   substitutions), exported bash functions (`BASH_FUNC_name%%`, which replace commands by name);
 * - interpreters' start-up code and module paths: Node, Python, Perl, Ruby, Lua, Tcl, PHP, the JVM.
 */
export const REFUSED_ENV = {
  names: [
    'PATH', 'IFS', 'ENV', 'BASH_ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4',
    'GLIBC_TUNABLES', 'GCONV_PATH', 'LOCPATH', 'NLSPATH', 'HOSTALIASES', 'RESOLV_HOST_CONF',
    'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE',
    'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONINSPECT', 'PYTHONWARNINGS', 'PYTHONUSERBASE', 'PYTHONBREAKPOINT',
    'PERL5LIB', 'PERLLIB', 'PERL5OPT', 'PERL5DB', 'PERLIO',
    'RUBYOPT', 'RUBYLIB', 'GEM_PATH', 'GEM_HOME',
    'LUA_PATH', 'LUA_CPATH', 'LUA_INIT', 'TCLLIBPATH', 'PHPRC', 'PHP_INI_SCAN_DIR',
    'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH',
  ],
  prefixes: ['LD_', 'DYLD_', 'BASH_FUNC_', 'LUA_INIT_', 'LUA_PATH_', 'LUA_CPATH_'],
} as const;

const refusedNames: ReadonlySet<string> = new Set(REFUSED_ENV.names);

/** True when a task may not set `name` on a worker with an allow-list (see {@link REFUSED_ENV}). */
export function isRefusedEnvName(name: string): boolean {
  return refusedNames.has(name) || REFUSED_ENV.prefixes.some((p) => name.startsWith(p));
}

/** What the allow-list decided for a task: refused, or allowed with the program to execute (null: the runner starts none). */
export type AllowListVerdict = { allowed: true; program: ResolvedProgram | null } | { allowed: false; error: SerializedError };

/** An entry of `--allowed-commands` and the program it resolved to (null: nothing executable found). */
export interface AllowedEntry {
  entry: string;
  program: ResolvedProgram | null;
}

/**
 * Decides, from plain values, whether `program` (what the task asked for, resolved; null when not
 * found) may run: it must be the same file as an allowed entry's (real paths equal), reached under
 * the same name (busybox and other multi-call binaries act by the name they are run as).
 * `what` names it in the message: `command 'x'`, `interpreter 'x'`, `shell commands run /bin/sh, which`.
 */
export function judgeProgram(requested: string, program: ResolvedProgram | null, allowed: readonly AllowedEntry[], what: string, where: string): SerializedError | null {
  const list = allowed.map((a) => a.entry).join(', ');
  const name = basename(requested);
  const sameName = allowed.filter((a) => basename(a.entry) === name);
  if (sameName.length === 0) return notAllowed(`${what} is not allowed on this worker (${OPTION}: ${list})`);
  if (program === null) return notAllowed(`${what} is not found on this worker (${where})`);
  if (sameName.some((a) => a.program?.path === program.path)) return null;
  const known = sameName.map((a) => `'${a.entry}' is ${a.program ? a.program.path : 'not found on this worker'}`).join(', ');
  return notAllowed(`${what} resolves to ${program.path}, which is not allowed on this worker (${known}; ${OPTION}: ${list})`);
}

/** Names in `env` a task may not set here, sorted; empty when none. */
export function refusedEnvNames(...envs: Array<Record<string, string> | undefined>): string[] {
  const names = new Set<string>();
  for (const env of envs) for (const name of Object.keys(env ?? {})) if (isRefusedEnvName(name)) names.add(name);
  return [...names].sort();
}

function notAllowed(message: string): SerializedError {
  // Retryable: another worker of the fleet may allow it.
  return { code: 'CommandNotAllowed', message, retryable: true };
}

/** Options of {@link CommandAllowList}: the worker's own lookup context, real by default. */
export interface CommandAllowListOptions {
  /** The worker's PATH; default `process.env.PATH`, else {@link DEFAULT_PATH}. */
  path?: string;
  /** The worker's working directory, for tasks without a cwd; default `process.cwd()`. */
  cwd?: string;
  fs?: ProgramLookup;
}

/**
 * The programs a worker started with `--allowed-commands` may run. The check is on the file that
 * will be executed: a bare name is searched in the worker's own PATH (never the task's), a path with
 * a '/' is resolved against the task's cwd, and symlinks are followed to the real path. The entries
 * are resolved the same way when the worker starts; an entry that resolves to nothing allows nothing
 * (the worker logs it) until it does: the entries are resolved again whenever a task's program
 * matches none of them, so a program installed or upgraded later (a moved symlink) is found.
 * The runner then executes that real path, with argv[0] as the task gave it, so neither the task's
 * PATH nor a symlink swapped after the check can change what runs. A task whose env sets one of
 * {@link REFUSED_ENV} is refused too.
 *
 * Command tasks are judged by their command, or with `shell: true` by the shell (`/bin/sh`); script
 * tasks by their interpreter; runners that start no local program (http, docker) are not limited,
 * nor are plugin runners (code the operator chose to load into the worker).
 */
export class CommandAllowList {
  private allowed: AllowedEntry[];
  private readonly context: LookupContext;
  private readonly fs: ProgramLookup;

  /** `entries`: bare names and absolute paths, as validated by the worker's config. */
  constructor(
    private readonly entries: readonly string[],
    options: CommandAllowListOptions = {},
  ) {
    this.context = { path: options.path ?? process.env.PATH ?? DEFAULT_PATH, cwd: options.cwd ?? process.cwd() };
    this.fs = options.fs ?? realFileSystem;
    this.allowed = this.resolveEntries();
  }

  /** Each entry and what it resolved to, for the worker's start-up log. */
  resolved(): readonly AllowedEntry[] {
    return this.allowed;
  }

  /** Whether `task` may run here, and if so the program its runner must execute. */
  judge(task: TaskRun): AllowListVerdict {
    if (!isBuiltinTask(task) || (task.runner !== 'command' && task.runner !== 'script')) return { allowed: true, program: null };
    const requested = task.runner === 'command' ? commandLine(task.spec).file : task.spec.interpreter;
    const what = task.runner === 'script' ? `interpreter '${requested}'` : task.spec.shell ? `shell commands run ${SHELL}, which` : `command '${requested}'`;
    const context = { ...this.context, cwd: task.spec.cwd === undefined ? this.context.cwd : resolve(this.context.cwd, task.spec.cwd) };
    const where = requested.includes('/') ? `no executable file at ${requested} from ${context.cwd}` : `searched the worker's PATH ${context.path}`;
    const program = resolveProgram(requested, context, this.fs);
    let error = judgeProgram(requested, program, this.allowed, what, where);
    if (error) {
      this.allowed = this.resolveEntries();
      error = judgeProgram(requested, program, this.allowed, what, where);
    }
    if (error) return { allowed: false, error };
    const env = refusedEnvNames(task.env, task.spec.env, task.secretEnv);
    if (env.length > 0) {
      return {
        allowed: false,
        error: notAllowed(`the task's env sets ${env.join(', ')}, which a worker with an allow-list refuses: it would change what the allowed program loads or runs (${OPTION})`),
      };
    }
    return { allowed: true, program };
  }

  private resolveEntries(): AllowedEntry[] {
    return this.entries.map((entry) => ({ entry, program: resolveProgram(entry, this.context, this.fs) }));
  }
}

