import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

/** What to start: the part of a process task a spawner needs. */
export interface SpawnSpec {
  /** A path, or a bare name searched in `env`'s PATH. */
  file: string;
  /** argv[0]; default `file`. */
  argv0?: string;
  args: readonly string[];
  /** The whole environment: nothing is inherited beyond it. */
  env: Record<string, string>;
  cwd?: string;
  /** Another account to start it as (only root may); absent: the worker's. */
  uid?: number;
  gid?: number;
}

/** How a started process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A task's process, started by a {@link Spawner} in a session (and so a process group) of its own,
 * stdin on /dev/null, its output on pipes.
 */
export interface SpawnedProcess {
  /** Undefined when it did not start; `closed` then rejects with why. */
  readonly pid: number | undefined;
  /** Its stdout and stderr: one merged stream, or two. */
  readonly outputs: readonly Readable[];
  /** Called once when the process has exited, its output perhaps not all read yet. */
  onExit(listener: () => void): void;
  /** Resolves once it has exited and its output has all been read; rejects when it could not start. */
  readonly closed: Promise<ProcessExit>;
}

export type SpawnerName = 'native' | 'node';

/** Starts processes; throws (or rejects `closed`) when one cannot start. */
export interface Spawner {
  readonly name: SpawnerName;
  start(spec: SpawnSpec): SpawnedProcess;
}

/** node:child_process: works everywhere, and is what tasks with another account (`--run-as`) use. */
export const nodeSpawner: Spawner = {
  name: 'node',
  start(spec) {
    const child = spawn(spec.file, spec.args, {
      detached: true,
      shell: false,
      ...(spec.argv0 !== undefined ? { argv0: spec.argv0 } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: spec.env,
      cwd: spec.cwd,
      ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
    });
    const pid = child.pid;
    const closed = new Promise<ProcessExit>((resolve, reject) => {
      // A failure to start comes as 'error' (then 'close'); later errors (a failed kill) change nothing.
      let startError: unknown = null;
      child.on('error', (e) => {
        if (pid === undefined) startError ??= e;
      });
      // 'close': the process has exited and both pipes are drained, so all its output is in.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (pid === undefined) reject(startError ?? new Error(`exit code ${code}`));
        else resolve({ code, signal });
      });
    });
    return {
      pid,
      outputs: [child.stdout, child.stderr].filter((s): s is Readable => s !== null),
      onExit: (listener) => void child.once('exit', () => listener()),
      closed,
    };
  },
};

/** The addon's API (worker/native/spawn.c). */
interface SpawnAddon {
  spawn(file: string, argv: string[], env: string[], cwd: string | null, onExit: (code: number | null, signal: number | null) => void): [pid: number, outputFd: number] | number;
}

/** The built addon, relative to this file in dist/runners (worker/dist) or build/worker/src/runners (tests). */
const NATIVE_DIRS = [join(__dirname, '..', '..', 'native'), join(__dirname, '..', '..', '..', '..', 'worker', 'native')];
const ADDON_PATHS = NATIVE_DIRS.map((dir) => join(dir, 'build', 'Release', 'cronfleet_spawn.node'));

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

let loaded: { addon: SpawnAddon } | { error: string } | undefined;

function loadAddon(): { addon: SpawnAddon } | { error: string } {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return (loaded = { error: 'the native spawner is built for Linux only' });
  const problems: string[] = [];
  for (const path of ADDON_PATHS) {
    try {
      return (loaded = { addon: require(path) as SpawnAddon });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND') problems.push(`${path}: ${(e as Error).message}`);
    }
  }
  return (loaded = { error: problems.length ? problems.join('; ') : `not built: install python3, make and a C compiler, then run node ${buildScript()}` });
}

/** The script that builds the addon (worker/native/build.js), where this worker has it. */
function buildScript(): string {
  const scripts = NATIVE_DIRS.map((dir) => join(dir, 'build.js'));
  return scripts.find((f) => existsSync(f)) ?? scripts[0];
}

/** Why the native spawner cannot be used here, or null when it can. */
export function nativeSpawnerProblem(): string | null {
  const r = loadAddon();
  return 'error' in r ? r.error : null;
}

/**
 * posix_spawn through the worker's addon (worker/native/spawn.c): the child does not copy the
 * worker's memory, which halves the CPU a `true` task costs (docs/benchmarks.md, "Spawning").
 * stdout and stderr share one pipe, so their order is the order they were written. Tasks with
 * another account, and programs without a `#!` line (which execvp hands to /bin/sh), go through
 * {@link nodeSpawner}. Throws when the addon is not built: see {@link nativeSpawnerProblem}.
 */
export function nativeSpawner(): Spawner {
  const r = loadAddon();
  if ('error' in r) throw new Error(`native spawner unavailable: ${r.error}`);
  const { addon } = r;
  return {
    name: 'native',
    start(spec) {
      if (spec.uid !== undefined) return nodeSpawner.start(spec);
      const env: string[] = [];
      for (const name in spec.env) env.push(`${name}=${spec.env[name]}`);
      refuseNul(spec, env);
      let markExited!: (exit: ProcessExit) => void;
      const exited = new Promise<ProcessExit>((resolve) => (markExited = resolve));
      const started = addon.spawn(spec.file, [spec.argv0 ?? spec.file, ...spec.args], env, spec.cwd ?? null, (code, signal) =>
        markExited({ code, signal: signal === null ? null : (signalNames.get(signal) ?? (`SIG${signal}` as NodeJS.Signals)) }),
      );
      if (typeof started === 'number') {
        if (errnoNames.get(-started) === 'ENOEXEC') return nodeSpawner.start(spec);
        throw spawnFailure(spec.file, -started);
      }
      const [pid, fd] = started;
      const output = new Socket({ fd, readable: true, writable: false });
      const drained = new Promise<void>((resolve) => {
        output.on('error', () => {}); // a read error ends the output like EOF; 'close' follows
        output.once('close', () => resolve());
      });
      return {
        pid,
        outputs: [output],
        // Listeners run in the microtask right after the exit callback, before any further I/O.
        onExit: (listener) => void exited.then(() => listener()),
        closed: Promise.all([exited, drained]).then(([exit]) => exit),
      };
    },
  };
}

/** The spawner a worker uses: `native` where the addon is built, else node:child_process. */
export function bestSpawner(): Spawner {
  return nativeSpawnerProblem() === null ? nativeSpawner() : nodeSpawner;
}

/** As child_process does: a NUL would cut a C string short, so it is refused, not truncated. */
function refuseNul(spec: SpawnSpec, env: readonly string[]): void {
  const where = [spec.file, ...spec.args, ...env, spec.cwd ?? ''].find((s) => s.includes('\0'));
  if (where !== undefined) throw Object.assign(new TypeError(`an argument, variable or path contains a null byte: ${JSON.stringify(where.slice(0, 40))}`), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** An errno from the addon as child_process reports one: `spawn <file> ENOENT`, with `code`. */
function spawnFailure(file: string, errno: number): NodeJS.ErrnoException {
  const code = errnoNames.get(errno) ?? `E${errno}`;
  return Object.assign(new Error(`spawn ${file} ${code}`), { code, errno: -errno, syscall: `spawn ${file}`, path: file });
}
