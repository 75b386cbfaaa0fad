import { Command, CommanderError } from 'commander';
import { ConfigError, loadWorkerConfig, type WorkerCliOptions, type WorkerConfig } from './config';
import { loadPlugins, PluginError, type LoadedPlugin } from './plugins/plugin-loader';
import { inheritedEnv, taskEnv } from './runners/runner';
import { StateDirError } from './result-spool';
import { startWorker, type WorkerHandle } from './worker';
import { WORKER_VERSION } from './version';

/** Where the CLI writes and reads; tests pass their own. */
export interface WorkerCliIO {
  /** Receives stderr text (log lines and errors, each ending in a newline). Default: process.stderr. */
  stderr?: (text: string) => void;
  /** Environment for option fallbacks. Default: process.env (read in config.ts). */
  env?: NodeJS.ProcessEnv;
}

/** Exit code for bad command-line input or configuration. */
export const EXIT_USAGE = 2;

/**
 * Seconds the worker of `cronfleet server --local-worker` lets its tasks finish when the server asks
 * it to shut down (or dies), unless --shutdown-grace says otherwise; the server waits for the worker.
 */
export const LOCAL_WORKER_SHUTDOWN_GRACE_SECONDS = 10;

/**
 * `cronfleet-worker [options]`: parses `argv` (the arguments only, without node and the script),
 * runs the worker until a signal or a fatal refusal, and returns the exit code; never exits itself,
 * so `cronfleet worker ...` can delegate here.
 */
export async function runWorkerCli(argv: string[], io: WorkerCliIO = {}): Promise<number> {
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const program = new Command('cronfleet-worker')
    .description('Connects to a Cronfleet API server and runs the tasks it sends.')
    .option('--server <url>', 'API server base URL, e.g. http://scheduler:8080 (env CRONFLEET_SERVER)')
    .option('--token <token>', 'worker token (env CRONFLEET_WORKER_TOKEN)')
    .option('--name <name>', 'unique worker name (env CRONFLEET_WORKER_NAME; default: hostname)')
    .option('--capacity <n>', 'most tasks run at once (env CRONFLEET_WORKER_CAPACITY; default 4)')
    .option('--labels <k=v,...>', 'labels cron jobs select workers by (env CRONFLEET_WORKER_LABELS)')
    .option('--namespace <name>', "run only this namespace's tasks; default: every namespace's (env CRONFLEET_WORKER_NAMESPACE)")
    .option('--shutdown-grace <seconds>', 'on the first SIGTERM/SIGINT, most time running tasks get to finish before they are stopped (env CRONFLEET_SHUTDOWN_GRACE_SECONDS; default: no limit)')
    .option('--stop-grace <seconds>', 'when running tasks are stopped on shutdown, time from SIGTERM to SIGKILL (env CRONFLEET_STOP_GRACE_SECONDS; default 10)')
    .option('--state-dir <dir>', "where results wait until the server has them, and the worker's credential, across restarts (env CRONFLEET_WORKER_STATE_DIR; default ~/.local/state/cronfleet-worker/<name>)")
    .option('--ca <file>', 'PEM certificate to trust for an https:// server, e.g. its self-signed certificate (env CRONFLEET_CA)')
    .option('--run-as <user>', 'when the worker runs as root: the user (name or uid[:gid]) command and script tasks run as (env CRONFLEET_RUN_AS)')
    .option('--spawn <how>', 'how command and script tasks are started: native (posix_spawn, about half the CPU per task), node (node:child_process) or auto: native where its addon is built (env CRONFLEET_WORKER_SPAWN; default auto)')
    .option('--allowed-commands <a,b,/path/c>', 'the only programs command tasks and script interpreters may run, compared as real files (bare names found on the worker\'s PATH, symlinks followed); shell: true tasks need sh; tasks setting PATH, LD_* and the like are refused (env CRONFLEET_WORKER_ALLOWED_COMMANDS; default: any)')
    .option(
      '--plugin <path-or-package>',
      'load a plugin runner: a file (./my-runner.js, ESM or CommonJS) or a package resolvable from the working directory; repeat for more (env CRONFLEET_WORKER_PLUGINS, comma-separated)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .version(WORKER_VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: stderr,
      outputError: (text, write) => write(`cronfleet-worker: ${text.replace(/^error: /, '')}`),
    });

  let config: WorkerConfig;
  try {
    program.parse(argv, { from: 'user' });
    config = loadWorkerConfig(program.opts<WorkerCliOptions>(), io.env);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e instanceof ConfigError) {
      stderr(`cronfleet-worker: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }

  // A busy worker logs two lines per task: those of one turn of the event loop are written together.
  let pending = '';
  const flushLog = (): void => {
    const text = pending;
    pending = '';
    if (text) stderr(text);
  };
  const log = (line: string): void => {
    if (!pending) setImmediate(flushLog);
    pending += `cronfleet-worker: ${line}\n`;
  };
  process.on('exit', flushLog);
  let plugins: LoadedPlugin[];
  try {
    plugins = await loadPlugins(config.plugins, {
      context: { workerName: config.name, runAs: config.runAs, log, processEnv: (task) => ({ ...inheritedEnv(), ...taskEnv(task) }) },
    });
  } catch (e) {
    flushLog();
    process.off('exit', flushLog);
    if (e instanceof PluginError) {
      stderr(`cronfleet-worker: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  for (const p of plugins) log(`plugin runner '${p.runner.name}' loaded from ${p.file}`);
  let worker: WorkerHandle;
  try {
    worker = startWorker(config, { log, plugins: plugins.map((p) => p.runner) });
  } catch (e) {
    if (e instanceof StateDirError) {
      flushLog();
      process.off('exit', flushLog);
      stderr(`cronfleet-worker: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  // Each signal goes one step further: drain, then stop the running tasks, then kill them.
  let step = 0;
  const escalate = (why: string, drainLimitSeconds: number | null, hint = true): void => {
    step++;
    if (step === 1) {
      log(`${why}: draining${hint ? ' (signal again to stop the running tasks, a third time to kill them)' : ''}`);
      void worker.drain(drainLimitSeconds);
    } else if (step === 2) {
      log(`${why} again: stopping the running tasks (signal again to kill them now)`);
      void worker.stop();
    } else {
      log(`${why} again: killing all tasks`);
      void worker.kill();
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => escalate(`received ${signal}`, config.shutdownGraceSeconds);
  // Started by `cronfleet server --local-worker` with an IPC channel: the server asks for the stop
  // and waits for this process to exit; if the server dies the channel closes, so this worker stops
  // too instead of lingering. Either way running tasks get a bounded time to finish.
  const parentLimitSeconds = config.shutdownGraceSeconds ?? LOCAL_WORKER_SHUTDOWN_GRACE_SECONDS;
  const fromParent = (why: string): void => {
    if (step === 0) escalate(why, parentLimitSeconds, false);
    else void worker.drain(parentLimitSeconds); // already draining: only bounds the wait
  };
  const onParentMessage = (m: unknown): void => {
    if ((m as { type?: string } | null)?.type === 'shutdown') fromParent('the server asked this worker to shut down');
  };
  const onParentGone = (): void => fromParent('the server that started this worker is gone');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (process.send) {
    process.on('message', onParentMessage);
    process.once('disconnect', onParentGone);
  }
  try {
    const exit = await worker.closed;
    return exit.code;
  } finally {
    flushLog();
    process.off('exit', flushLog);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('message', onParentMessage);
    process.off('disconnect', onParentGone);
    if (process.connected) process.disconnect();
  }
}

/** Entry point of bin/cronfleet-worker.js: the one place that exits the process. */
export async function main(): Promise<never> {
  const code = await runWorkerCli(process.argv.slice(2));
  process.exit(code);
}
