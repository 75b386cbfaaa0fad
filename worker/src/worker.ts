import { hostname } from 'node:os';
import { PROTOCOL_VERSION, type SerializedError } from '@cronfleet/shared';
import type { WorkerConfig } from './config';
import { WorkerConnection } from './connection';
import { Outbox } from './outbox';
import { CommandRunner } from './runners/command.runner';
import type { Runner } from './runners/runner';
import { TaskSupervisor } from './supervisor';
import { WORKER_VERSION } from './version';

/** How the worker ended; the CLI exits with `code`. */
export interface WorkerExit {
  /** 0 after a graceful stop; 1 when refused by the server, on a bad token, or when killed. */
  code: number;
  reason?: string;
}

/** A running worker. Nothing here calls process.exit: the CLI does, with `closed`'s code. */
export interface WorkerHandle {
  /** Resolves once the worker has stopped and released its socket, timers and processes. Never rejects. */
  readonly closed: Promise<WorkerExit>;
  /**
   * Graceful stop: refuse new tasks, let running ones finish for `shutdownGraceSeconds`, stop the
   * rest (reported `killed` with `WorkerShutdown`), wait up to 5 s for the server to ack the results.
   */
  stop(): Promise<WorkerExit>;
  /** Immediate stop: SIGKILL every task, report what can be reported within a second, disconnect. */
  kill(): Promise<WorkerExit>;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** Receives one short log line at a time. Default: stderr, prefixed `cronfleet-worker: `. */
  log?: (line: string) => void;
  /** Runners offered. Default: the command runner. */
  runners?: readonly Runner[];
}

const SHUTDOWN_ERROR: SerializedError = { code: 'WorkerShutdown', message: 'worker is shutting down', retryable: true };
/** Longer than the runners' SIGTERM→SIGKILL grace (5 s), so a stopped task has ended by then. */
const STOPPED_TASKS_WAIT_MS = 7000;
const RESULTS_ACK_WAIT_MS = 5000;

/**
 * Connects to the API server and runs the tasks it sends until stopped or refused.
 * States: running → stopping (graceful) → closed, or running|stopping → forcing (kill, fatal) → closed.
 */
export function startWorker(config: WorkerConfig, options: StartWorkerOptions = {}): WorkerHandle {
  const log = options.log ?? ((line: string) => void process.stderr.write(`cronfleet-worker: ${line}\n`));
  let state: 'running' | 'stopping' | 'forcing' | 'closed' = 'running';
  let resolveClosed!: (exit: WorkerExit) => void;
  const closed = new Promise<WorkerExit>((resolve) => (resolveClosed = resolve));
  const aborters = new Set<() => void>();

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
        runningTaskIds: supervisor.runningTaskIds(),
        clockMs: Date.now(),
      }),
      runningTaskIds: () => supervisor.runningTaskIds(),
      onReady: () => outbox.onReady(),
      onTaskRun: (msg, ack) => supervisor.handleRun(msg, ack),
      onTaskKill: (msg, ack) => supervisor.handleKill(msg, ack),
      onFatal: (reason) => {
        log(reason);
        void forceClose({ code: 1, reason });
      },
    },
    log,
  );
  const outbox = new Outbox(connection, log);
  const supervisor = new TaskSupervisor({
    capacity: config.capacity,
    runners: options.runners ?? [new CommandRunner()],
    outbox,
    log,
  });

  /** Waits for `promise` at most `ms`; a forced close cuts every wait short. Resolves true if it settled. */
  const waitAtMost = (promise: Promise<void>, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const end = (settled: boolean): void => {
        clearTimeout(timer);
        aborters.delete(abort);
        resolve(settled);
      };
      const abort = (): void => end(false);
      const timer = setTimeout(abort, ms);
      aborters.add(abort);
      void promise.then(() => end(true));
    });

  const finish = (exit: WorkerExit): void => {
    if (state === 'closed') return;
    state = 'closed';
    outbox.dispose();
    connection.close();
    resolveClosed(exit);
  };

  const forceClose = async (exit: WorkerExit): Promise<WorkerExit> => {
    if (state === 'forcing' || state === 'closed') return closed;
    state = 'forcing';
    for (const abort of [...aborters]) abort();
    supervisor.drain();
    supervisor.killAll(SHUTDOWN_ERROR);
    await waitAtMost(supervisor.whenIdle(), 2000);
    if (connection.ready) await waitAtMost(outbox.whenDelivered(), 1000);
    finish(exit);
    return closed;
  };

  const stop = async (): Promise<WorkerExit> => {
    if (state !== 'running') return closed;
    state = 'stopping';
    supervisor.drain();
    const running = supervisor.runningTaskIds().length;
    log(running ? `stopping: waiting up to ${config.shutdownGraceSeconds} s for ${running} running task(s)` : 'stopping');
    if (!(await waitAtMost(supervisor.whenIdle(), config.shutdownGraceSeconds * 1000)) && state === 'stopping') {
      log(`stopping ${supervisor.runningTaskIds().length} task(s) still running after ${config.shutdownGraceSeconds} s`);
      supervisor.stopAll(SHUTDOWN_ERROR);
      await waitAtMost(supervisor.whenIdle(), STOPPED_TASKS_WAIT_MS);
    }
    if (state === 'stopping' && !(await waitAtMost(outbox.whenDelivered(), RESULTS_ACK_WAIT_MS)) && state === 'stopping') {
      log(`giving up on ${outbox.unackedUpdates} task update(s) the server has not acknowledged`);
    }
    if (state === 'stopping') finish({ code: 0, reason: 'stopped' });
    return closed;
  };

  const labels = Object.entries(config.labels).map(([k, v]) => `${k}=${v}`).join(',');
  log(`worker '${config.name}' (capacity ${config.capacity}${labels ? `, labels ${labels}` : ''}) connecting to ${config.serverUrl}`);
  connection.open();
  return { closed, stop, kill: () => forceClose({ code: 1, reason: 'killed' }) };
}
