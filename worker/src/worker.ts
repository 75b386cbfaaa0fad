import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { PROTOCOL_VERSION, startTracing, type SerializedError } from '@cronfleet/shared';
import { CommandAllowList } from './command-allow-list';
import type { WorkerConfig } from './config';
import { WorkerConnection } from './connection';
import { CredentialStore } from './credential-store';
import { Outbox } from './outbox';
import { ResultSpool, type ResultSpoolOptions } from './result-spool';
import type { RunAs } from './run-as';
import { CommandRunner } from './runners/command.runner';
import { probeDocker } from './runners/docker.runner';
import { HttpRunner } from './runners/http.runner';
import type { PluginRunner, Runner } from './runners/runner';
import { ScriptRunner } from './runners/script.runner';
import { nativeSpawner, nodeSpawner, type SpawnerName } from './runners/spawner';
import { LastErrorTracker, collectStats } from './stats';
import { TaskSupervisor } from './supervisor';
import { WORKER_VERSION } from './version';

/** How the worker ended; the CLI exits with `code`. */
export interface WorkerExit {
  /** 0 after a drain or a stop; 1 when refused by the server, on a bad token, or when killed. */
  code: number;
  reason?: string;
}

/**
 * A running worker. Nothing here calls process.exit: the CLI does, with `closed`'s code. The three
 * ways to end it match the first, second and third SIGTERM: drain, stop, kill.
 */
export interface WorkerHandle {
  /** Resolves once the worker has stopped and released its socket, timers and processes. Never rejects. */
  readonly closed: Promise<WorkerExit>;
  /**
   * Drain: refuse new tasks (`WorkerDraining`, retryable, so the server sends them elsewhere), tell
   * the server at once (a heartbeat with `draining: true`), and once every running task has ended
   * and the server has acked its result (waiting at most 5 s for the acks) close with code 0.
   * `limitSeconds` bounds the wait for running tasks, after which they are stopped as by
   * {@link stop}; null: no limit. Default: the config's `shutdownGraceSeconds`. Calling it again
   * can only shorten the limit.
   */
  drain(limitSeconds?: number | null): Promise<WorkerExit>;
  /**
   * Drain, and stop the running tasks now: SIGTERM to each process group, SIGKILL after the config's
   * `stopGraceSeconds`; they are reported `killed` with `WorkerShutdown`. Closes with code 0.
   */
  stop(): Promise<WorkerExit>;
  /** Immediate stop: SIGKILL every task, report what can be reported within a second, close with code 1. */
  kill(): Promise<WorkerExit>;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** Receives one short log line at a time. Default: stderr, prefixed `cronfleet-worker: `. */
  log?: (line: string) => void;
  /** Runners offered. Default: {@link defaultRunners}, plus `docker` when a Docker engine answers ({@link probeDocker}). */
  runners?: readonly Runner[];
  /** Plugin runners offered besides those, already loaded and checked (plugins/plugin-loader.ts). Default none. */
  plugins?: readonly PluginRunner[];
  /** Bounds of the results kept on disk. Default: 10,000 results, 16 MiB. */
  resultSpool?: Omit<ResultSpoolOptions, 'log'>;
}

/** The runners a worker offers (and names in its hello), one per name; `docker` joins them when an engine answers. */
export function defaultRunners(runAs: RunAs | null, spawnerName: SpawnerName): Runner[] {
  const spawner = spawnerName === 'native' ? nativeSpawner() : nodeSpawner;
  return [
    new CommandRunner({ runAs, spawner }),
    new ScriptRunner({ runAs, spawner }),
    new HttpRunner(),
  ];
}

const SHUTDOWN_ERROR: SerializedError = { code: 'WorkerShutdown', message: 'worker is shutting down', retryable: true };
/** After the SIGKILL of a stop: how long a task stuck in the kernel may hold the exit before we go anyway. */
const STOPPED_TASKS_EXTRA_WAIT_MS = 5000;
const RESULTS_ACK_WAIT_MS = 5000;
/** At the close, the longest the worker waits for its last spans to be exported (tracing on only). */
const TRACE_FLUSH_MS = 3000;

/**
 * Connects to the API server and runs the tasks it sends until drained, stopped, killed or refused.
 * Throws {@link StateDirError} (before connecting) when the state directory is unusable.
 *
 * States: running → draining (no new tasks; waits for the running ones, bounded or not) → stopping
 * (the running tasks are stopped) → closed once the tasks have ended and their results are acked or
 * given up after 5 s; from any of them → forcing (kill, or a fatal refusal) → closed.
 */
export function startWorker(config: WorkerConfig, options: StartWorkerOptions = {}): WorkerHandle {
  const log = options.log ?? ((line: string) => void process.stderr.write(`cronfleet-worker: ${line}\n`));
  const { spool, results } = ResultSpool.open(config.stateDir, { ...options.resultSpool, log });
  let credentials: CredentialStore;
  try {
    credentials = new CredentialStore(config.stateDir);
  } catch (e) {
    spool.close();
    throw e;
  }
  const lastError = new LastErrorTracker();
  const noteError = (code: string, message: string): void => lastError.note(code, message);
  let state: 'running' | 'draining' | 'stopping' | 'forcing' | 'closed' = 'running';
  let resolveClosed!: (exit: WorkerExit) => void;
  const closed = new Promise<WorkerExit>((resolve) => (resolveClosed = resolve));
  const aborters = new Set<() => void>();
  let drainTimer: NodeJS.Timeout | undefined;
  let drainDeadlineMs = Infinity;
  let giveUpTimer: NodeJS.Timeout | undefined;
  let giveUpOnTasks!: () => void;
  const givenUpOnTasks = new Promise<void>((resolve) => (giveUpOnTasks = resolve));

  const draining = (): boolean => state !== 'running';
  // Tasks whose result is not acked yet still count as this worker's: see Outbox.unreportedTaskIds.
  /** Tells this process's reconnects apart from another process using the same name. */
  const sessionId = randomUUID();
  const ownedTaskIds = (): number[] => [...supervisor.runningTaskIds(), ...outbox.unreportedTaskIds()];
  const connection: WorkerConnection = new WorkerConnection(
    config.serverUrl,
    config.token,
    {
      hello: () => ({
        name: config.name,
        hostname: hostname(),
        version: WORKER_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        capacity: config.capacity,
        labels: config.labels,
        runners: supervisor.runnerNames,
        runningTaskIds: ownedTaskIds(),
        clockMs: Date.now(),
        sessionId,
        draining: draining(),
        ...(config.namespace !== null ? { namespace: config.namespace } : {}),
        ...(credentials.credential !== null ? { credential: credentials.credential } : {}),
        keepsCredential: true,
      }),
      heartbeat: () => ({
        runningTaskIds: ownedTaskIds(),
        atMs: Date.now(),
        draining: draining(),
        stats: collectStats(supervisor.taskPids(), lastError.value),
      }),
      onReady: () => outbox.onReady(),
      // Never log the credential itself: only where it is kept.
      onEnrolled: (credential) => {
        try {
          credentials.save(credential);
          log(`enrolled by the server: this worker's credential is kept in ${credentials.path}; keep the state directory to keep the name '${config.name}'`);
        } catch (e) {
          const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          log(`enrolled by the server, but cannot keep the credential in ${credentials.path} (${why}): reconnects of this process still carry it, a restart will be refused until an admin re-enrols '${config.name}'`);
          noteError('CredentialNotKept', `cannot write ${credentials.path} (${why})`);
        }
      },
      onTaskRuns: (msg, ack) => supervisor.handleRuns(msg, ack),
      onTaskStop: (msg, ack) => supervisor.handleStop(msg, ack),
      onTaskKill: (msg, ack) => supervisor.handleKill(msg, ack),
      onFatal: (reason) => {
        log(reason);
        void forceClose({ code: 1, reason });
      },
    },
    log,
    config.ca,
  );
  const outbox = new Outbox(connection, log, { store: spool, onError: noteError });
  outbox.restore(results);
  const plugins = options.plugins ?? [];
  // Resolved once here, not per supervisor: the docker probe builds the supervisor a second time.
  const allowList = config.allowedCommands ? new CommandAllowList(config.allowedCommands) : null;
  // Null when tracing is off: then no OpenTelemetry module is loaded.
  const tracer = config.tracing ? startTracing('cronfleet-worker') : null;
  const createSupervisor = (runners: readonly Runner[]): TaskSupervisor =>
    new TaskSupervisor({ capacity: config.capacity, runners: [...runners, ...plugins], allowList, outbox, log, onError: noteError, tracer, workerName: config.name });
  let supervisor = createSupervisor(options.runners ?? defaultRunners(config.runAs, config.spawner));

  /** Resolves true once `promise` settles, false after `ms` (null: no limit) or when kill() cuts every wait short. */
  const waitAtMost = (promise: Promise<void>, ms: number | null): Promise<boolean> =>
    new Promise((resolve) => {
      const end = (settled: boolean): void => {
        clearTimeout(timer);
        aborters.delete(abort);
        resolve(settled);
      };
      const abort = (): void => end(false);
      const timer = ms === null ? undefined : setTimeout(abort, ms);
      aborters.add(abort);
      void promise.then(() => end(true));
    });

  const finish = (exit: WorkerExit): void => {
    if (state === 'closed') return;
    state = 'closed';
    clearTimeout(drainTimer);
    clearTimeout(giveUpTimer);
    outbox.dispose();
    connection.close();
    spool.close();
    if (!tracer) return resolveClosed(exit);
    // The last spans are exported before the process exits, for at most TRACE_FLUSH_MS.
    void waitAtMost(tracer.shutdown().catch(() => undefined), TRACE_FLUSH_MS).then(() => resolveClosed(exit));
  };

  const forceClose = async (exit: WorkerExit): Promise<WorkerExit> => {
    if (state === 'forcing' || state === 'closed') return closed;
    state = 'forcing';
    clearTimeout(drainTimer);
    clearTimeout(giveUpTimer);
    for (const abort of [...aborters]) abort();
    supervisor.drain();
    supervisor.killAll(SHUTDOWN_ERROR);
    await waitAtMost(supervisor.whenIdle(), 2000);
    if (connection.ready) await waitAtMost(outbox.whenDelivered(), 1000);
    finish(exit);
    return closed;
  };

  const stillDraining = (): boolean => state === 'draining' || state === 'stopping';

  /** Runs from the start of the drain to the close: tasks end, then their results are acked. */
  const settle = async (): Promise<void> => {
    await waitAtMost(Promise.race([supervisor.whenIdle(), givenUpOnTasks]), null);
    if (!stillDraining()) return;
    clearTimeout(drainTimer);
    clearTimeout(giveUpTimer);
    if (!(await waitAtMost(outbox.whenDelivered(), RESULTS_ACK_WAIT_MS)) && stillDraining()) {
      const results = outbox.unreportedTaskIds().length;
      log(
        `giving up on ${outbox.unackedUpdates} task update(s) the server has not acknowledged` +
          (results ? `; ${results} result(s) among them stay in ${config.stateDir} for the next start` : ''),
      );
    }
    if (stillDraining()) finish({ code: 0, reason: 'stopped' });
  };

  const startDraining = (): void => {
    state = 'draining';
    supervisor.drain();
    connection.sendHeartbeat();
    void settle();
  };

  const drain = (limitSeconds: number | null = config.shutdownGraceSeconds): Promise<WorkerExit> => {
    const first = state === 'running';
    const running = supervisor.runningTaskIds().length;
    if (first) {
      const wait = limitSeconds === null ? 'with no time limit' : `for up to ${limitSeconds} s`;
      log(running ? `draining: no new tasks; waiting ${wait} for ${running} running task(s)` : 'draining: no task running');
      startDraining();
    }
    if (state !== 'draining') return closed;
    const limitMs = limitSeconds === null ? Infinity : limitSeconds * 1000;
    if (running === 0 || Date.now() + limitMs >= drainDeadlineMs) return closed;
    if (!first) log(`draining: the ${running} running task(s) now get at most ${limitSeconds} s more`);
    drainDeadlineMs = Date.now() + limitMs;
    clearTimeout(drainTimer);
    drainTimer = setTimeout(() => {
      if (state !== 'draining') return;
      log(`${supervisor.runningTaskIds().length} task(s) still running after the shutdown grace`);
      void stop();
    }, limitMs);
    return closed;
  };

  const stop = (): Promise<WorkerExit> => {
    if (state === 'running') startDraining();
    if (state !== 'draining') return closed;
    state = 'stopping';
    clearTimeout(drainTimer);
    const running = supervisor.runningTaskIds().length;
    if (running === 0) return closed;
    log(`stopping ${running} running task(s): SIGTERM now, SIGKILL after ${config.stopGraceSeconds} s`);
    supervisor.stopAll(SHUTDOWN_ERROR, config.stopGraceSeconds * 1000);
    giveUpTimer = setTimeout(() => {
      log(`${supervisor.runningTaskIds().length} task(s) did not end after SIGKILL; closing without their results`);
      giveUpOnTasks();
    }, config.stopGraceSeconds * 1000 + STOPPED_TASKS_EXTRA_WAIT_MS);
    return closed;
  };

  const labels = Object.entries(config.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const allowed = allowList ? `, allowed commands ${allowList.resolved().map((a) => (a.program && a.program.path !== a.entry ? `${a.entry} (${a.program.path})` : a.entry)).join(',')}` : '';
  const pluginNames = plugins.length ? `, plugin runners ${plugins.map((p) => p.name).join(',')}` : '';
  const serves = config.namespace !== null ? `, namespace ${config.namespace} only` : '';
  log(`worker '${config.name}' (capacity ${config.capacity}, spawn ${config.spawner}${labels ? `, labels ${labels}` : ''}${serves}${allowed}${pluginNames}) connecting to ${config.serverUrl}; state in ${config.stateDir}`);
  for (const { entry } of allowList?.resolved().filter((a) => a.program === null) ?? []) {
    log(`allowed command '${entry}' is not an executable file on this worker${entry.includes('/') ? '' : "'s PATH"}: it allows nothing until it is installed`);
  }
  if (config.spawnerFallback !== null) log(`tasks start with node:child_process: the native spawner cannot be used (${config.spawnerFallback})`);
  if (results.length) log(`${results.length} result(s) an earlier run did not deliver: sending them once connected`);
  // The hello names the runners, so the docker probe (at most 2 s) comes before the first connect.
  // Until then no task can have reached the supervisor: offering one more runner is building it again.
  const connect = async (): Promise<void> => {
    if (!options.runners) {
      const docker = await probeDocker({ log, labels: { 'cronfleet.worker': config.name } });
      if (docker && state === 'running') supervisor = createSupervisor([...defaultRunners(config.runAs, config.spawner), docker]);
    }
    if (state !== 'forcing' && state !== 'closed') connection.open();
  };
  void connect();
  return { closed, drain, stop, kill: () => forceClose({ code: 1, reason: 'killed' }) };
}
