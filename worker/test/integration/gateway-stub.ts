import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, type Socket as ServerSocket } from 'socket.io';
import {
  WORKER_NAMESPACE,
  WorkerHeartbeatSchema,
  WorkerHelloSchema,
  type HelloAck,
  type RunnerWithSpec,
  type ServerToWorkerEvents,
  type TaskKillAck,
  type TaskOutput,
  type TaskRun,
  type TaskRunAck,
  type TaskUpdate,
  type WorkerHeartbeat,
  type WorkerHello,
  type WorkerToServerEvents,
} from '@cronfleet/shared';
import type { WorkerConfig } from '../../src/config';
import { JOURNAL_FILE, ResultSpool } from '../../src/result-spool';

export type WorkerSocket = ServerSocket<WorkerToServerEvents, ServerToWorkerEvents>;
export const TOKEN = 'test-worker-token-0123456789';

/**
 * A real socket.io server standing in for the API server's worker gateway: token middleware, hello
 * and heartbeats checked against the shared schemas, and every message recorded in arrival order.
 */
export class GatewayStub {
  readonly hellos: WorkerHello[] = [];
  readonly heartbeats: WorkerHeartbeat[] = [];
  readonly received: Array<{ event: 'task:update'; msg: TaskUpdate } | { event: 'task:output'; msg: TaskOutput }> = [];
  connections = 0;
  socket: WorkerSocket | null = null;
  helloAck: (hello: WorkerHello) => HelloAck = () => ({ ok: true, workerId: 7, heartbeatSeconds: 30 });
  /** Answers each update of a task:updates batch; default: record it. */
  onUpdate: (msg: TaskUpdate, ack: (res: { recorded: boolean }) => void, socket: WorkerSocket) => void = (_m, ack) =>
    ack({ recorded: true });
  private readonly changed = new EventEmitter();

  private constructor(readonly io: Server<WorkerToServerEvents, ServerToWorkerEvents>, readonly url: string) {}

  /** Listens on `port` (default: any free one) on 127.0.0.1. */
  static async start(port = 0): Promise<GatewayStub> {
    const http = createServer();
    const io = new Server<WorkerToServerEvents, ServerToWorkerEvents>(http);
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    const stub = new GatewayStub(io, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    const nsp = io.of(WORKER_NAMESPACE);
    nsp.use((socket, next) => {
      stub.connections++;
      stub.bump();
      next(socket.handshake.auth.token === TOKEN ? undefined : new Error('InvalidToken: worker token not accepted'));
    });
    nsp.on('connection', (socket) => {
      stub.socket = socket;
      socket.on('worker:hello', (msg, ack) => {
        stub.hellos.push(WorkerHelloSchema.parse(msg));
        ack(stub.helloAck(msg));
        stub.bump();
      });
      socket.on('worker:heartbeat', (msg) => (stub.heartbeats.push(WorkerHeartbeatSchema.parse(msg)), stub.bump()));
      socket.on('task:outputs', (batch, ack) => {
        for (const msg of batch.outputs) stub.received.push({ event: 'task:output', msg });
        stub.bump();
        if (typeof ack === 'function') ack({ stored: batch.outputs.map(() => true) });
      });
      // Each update of a batch is answered through onUpdate; the batch's ack goes once all are.
      socket.on('task:updates', (batch, ack) => {
        const answers = batch.updates.map((msg) => {
          stub.received.push({ event: 'task:update', msg });
          return new Promise<boolean>((resolve) => stub.onUpdate(msg, (res) => resolve(res.recorded), socket));
        });
        stub.bump();
        void Promise.all(answers).then((recorded) => typeof ack === 'function' && ack({ recorded }));
      });
    });
    return stub;
  }

  updates(taskId: number): TaskUpdate[] {
    return this.received.flatMap((r) => (r.event === 'task:update' && r.msg.taskId === taskId ? [r.msg] : []));
  }

  /** Every task:update received with a final status. */
  results(): TaskUpdate[] {
    return this.received.flatMap((r) => (r.event === 'task:update' && r.msg.status !== 'running' ? [r.msg] : []));
  }

  output(taskId: number): string {
    return this.received.flatMap((r) => (r.event === 'task:output' && r.msg.taskId === taskId ? [r.msg.data] : [])).join('');
  }

  /** Sends a `command` task running `command` with `args`, no shell. */
  run(taskId: number, command: string, ...args: string[]): Promise<TaskRunAck> {
    return this.runTask(taskId, { runner: 'command', spec: { command, args, env: {}, shell: false } });
  }

  /** Sends a task of any runner; `extra` overrides the defaults (no cron job, no timeout, no env). */
  async runTask(taskId: number, what: RunnerWithSpec, extra: Partial<Pick<TaskRun, 'env' | 'secretEnv' | 'timeoutSeconds' | 'cronjobName'>> = {}): Promise<TaskRunAck> {
    const msg: TaskRun = {
      taskId,
      cronjobId: null,
      cronjobName: null,
      attempt: 1,
      scheduledAtMs: Date.now(),
      timeoutSeconds: null,
      env: {},
      secretEnv: {},
      shard: null,
      ...extra,
      ...what,
    };
    const { acks } = await this.live.timeout(5000).emitWithAck('task:runs', { tasks: [msg] });
    assert.equal(acks.length, 1, 'one ack for the one task sent');
    return acks[0] as TaskRunAck;
  }

  stop(taskId: number, graceSeconds: number, reason?: string): Promise<TaskKillAck> {
    return this.live.timeout(5000).emitWithAck('task:stop', { taskId, graceSeconds, ...(reason ? { reason } : {}) });
  }

  kill(taskId: number, reason?: string): Promise<TaskKillAck> {
    return this.live.timeout(5000).emitWithAck('task:kill', { taskId, ...(reason ? { reason } : {}) });
  }

  /** Resolves once `check` holds, re-checked on every message; fails after `ms`. */
  waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.changed.off('change', test);
        resolve();
      };
      const timer = setTimeout(() => {
        this.changed.off('change', test);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.changed.on('change', test);
      test();
    });
  }

  async close(): Promise<void> {
    await this.io.close();
  }

  get live(): WorkerSocket {
    assert.ok(this.socket, 'no worker connected');
    return this.socket;
  }

  private bump(): void {
    this.changed.emit('change');
  }
}

/** A worker config for `server` that keeps its results in `stateDir`; no drain limit, 10 s stop grace. */
export function workerConfig(server: { url: string }, stateDir: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    serverUrl: server.url,
    token: TOKEN,
    name: 'w1',
    capacity: 2,
    labels: {},
    namespace: null,
    shutdownGraceSeconds: null,
    stopGraceSeconds: 10,
    stateDir,
    allowedCommands: null,
    ca: null,
    runAs: null,
    plugins: [],
    tracing: false,
    spawner: 'native',
    spawnerFallback: null,
    ...overrides,
  };
}

/** Temporary directories of one test file, removed by {@link TempDirs.removeAll}. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'cronfleet-worker-test-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 20 ms (for conditions no event announces, like a file being removed); fails after `ms`. */
export async function pollUntil(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The task ids whose results the journal in `stateDir` holds, oldest save first, read without a
 * ResultSpool: opening one would compact the journal under the live worker's feet.
 */
export function journaledTaskIds(stateDir: string): number[] {
  const file = join(stateDir, JOURNAL_FILE);
  const live = new Set<number>();
  for (const line of existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []) {
    if (line.startsWith('+')) {
      const { taskId } = JSON.parse(line.slice(1)) as TaskUpdate;
      live.delete(taskId);
      live.add(taskId);
    } else if (line.startsWith('-')) {
      live.delete(Number(line.slice(1)));
    }
  }
  return [...live];
}

/** The results a worker that has exited left in `stateDir`, as the next one will read them. */
export function spooledResults(stateDir: string): TaskUpdate[] {
  const { spool, results } = ResultSpool.open(stateDir, { log: () => undefined });
  spool.close();
  return results;
}

function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Takes the baseline of handles at the start of a test file; `check()` fails if a test left more behind. */
export function leakGuard(): { check(): Promise<void> } {
  const baseline = resourceCounts();
  const exitListeners = process.listenerCount('exit');
  return {
    async check() {
      // Sockets, servers, timers and child processes must all be gone once both ends are closed.
      const until = Date.now() + 3000;
      let extra: string[] = [];
      do {
        await new Promise((r) => setTimeout(r, 20));
        extra = [...resourceCounts()].filter(([type, n]) => n > (baseline.get(type) ?? 0)).map(([type, n]) => `${type} x${n}`);
      } while (extra.length > 0 && Date.now() < until);
      assert.deepEqual(extra, [], 'handles left behind by the test');
      // An open ResultSpool (a worker that did not close its journal) listens for the exit.
      assert.equal(process.listenerCount('exit'), exitListeners, 'exit listeners left behind by the test');
    },
  };
}
