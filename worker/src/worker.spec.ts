import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { Server, type Socket as ServerSocket } from 'socket.io';
import {
  PROTOCOL_VERSION,
  WORKER_NAMESPACE,
  WorkerHelloSchema,
  type HelloAck,
  type ServerToWorkerEvents,
  type TaskOutput,
  type TaskRun,
  type TaskUpdate,
  type WorkerHello,
  type WorkerToServerEvents,
} from '@cronfleet/shared';
import type { WorkerConfig } from './config';
import { startWorker, type WorkerHandle } from './worker';

type WorkerSocket = ServerSocket<WorkerToServerEvents, ServerToWorkerEvents>;
const TOKEN = 'test-worker-token-0123456789';

/**
 * A real socket.io server standing in for the API server's worker gateway: token middleware, hello
 * checked against the shared schema, and every message recorded in arrival order.
 */
class GatewayStub {
  readonly hellos: WorkerHello[] = [];
  readonly heartbeats: unknown[] = [];
  readonly received: Array<{ event: 'task:update'; msg: TaskUpdate } | { event: 'task:output'; msg: TaskOutput }> = [];
  connections = 0;
  socket: WorkerSocket | null = null;
  helloAck: (hello: WorkerHello) => HelloAck = () => ({ ok: true, workerId: 7, heartbeatSeconds: 30 });
  /** Answers each task:update; default: record it. */
  onUpdate: (msg: TaskUpdate, ack: (res: { recorded: boolean }) => void, socket: WorkerSocket) => void = (_m, ack) =>
    ack({ recorded: true });
  private readonly changed = new EventEmitter();

  private constructor(readonly io: Server<WorkerToServerEvents, ServerToWorkerEvents>, readonly url: string) {}

  static async start(): Promise<GatewayStub> {
    const http = createServer();
    const io = new Server<WorkerToServerEvents, ServerToWorkerEvents>(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
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
      socket.on('worker:heartbeat', (msg) => (stub.heartbeats.push(msg), stub.bump()));
      socket.on('task:output', (msg) => (stub.received.push({ event: 'task:output', msg }), stub.bump()));
      socket.on('task:update', (msg, ack) => {
        stub.received.push({ event: 'task:update', msg });
        stub.onUpdate(msg, ack, socket);
        stub.bump();
      });
    });
    return stub;
  }

  updates(taskId: number): TaskUpdate[] {
    return this.received.flatMap((r) => (r.event === 'task:update' && r.msg.taskId === taskId ? [r.msg] : []));
  }

  output(taskId: number): string {
    return this.received.flatMap((r) => (r.event === 'task:output' && r.msg.taskId === taskId ? [r.msg.data] : [])).join('');
  }

  run(taskId: number, command: string, ...args: string[]) {
    const msg: TaskRun = {
      taskId,
      cronjobId: null,
      cronjobName: null,
      attempt: 1,
      scheduledAtMs: Date.now(),
      timeoutSeconds: null,
      runner: 'command',
      spec: { command, args, env: {} },
    };
    return (this.socket as WorkerSocket).timeout(5000).emitWithAck('task:run', msg);
  }

  /** Resolves once `check` holds, re-checked on every message; fails after `ms`. */
  waitFor(what: string, check: () => boolean, ms = 5000): Promise<void> {
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

  private bump(): void {
    this.changed.emit('change');
  }
}

function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

describe('worker over socket.io', () => {
  let baseline: Map<string, number>;
  let server: GatewayStub | null = null;
  let worker: WorkerHandle | null = null;
  let logs: string[] = [];

  before(() => {
    baseline = resourceCounts();
  });

  afterEach(async () => {
    if (worker) await worker.kill();
    if (server) await server.close();
    worker = server = null;
    logs = [];
    // Sockets, servers, timers and child processes must all be gone once both ends are closed.
    const until = Date.now() + 2000;
    let extra: string[] = [];
    do {
      await new Promise((r) => setTimeout(r, 20));
      const now = resourceCounts();
      extra = [...now].filter(([type, n]) => n > (baseline.get(type) ?? 0)).map(([type, n]) => `${type} x${n}`);
    } while (extra.length > 0 && Date.now() < until);
    assert.deepEqual(extra, [], 'handles left behind by the test');
  });

  async function start(config: Partial<WorkerConfig> = {}): Promise<GatewayStub> {
    server = await GatewayStub.start();
    worker = startWorker(
      { serverUrl: server.url, token: TOKEN, name: 'w1', capacity: 2, labels: {}, shutdownGraceSeconds: 10, ...config },
      { log: (line) => logs.push(line) },
    );
    return server;
  }

  it('says hello with its name, capacity, labels, runners and protocol version', async () => {
    const s = await start({ labels: { region: 'eu', gpu: 'true' } });
    await s.waitFor('hello', () => s.hellos.length === 1);
    const { clockMs, ...hello } = s.hellos[0] as WorkerHello;
    assert.deepEqual(hello, {
      name: 'w1',
      hostname: hostname(),
      version: '0.1.0',
      protocolVersion: PROTOCOL_VERSION,
      capacity: 2,
      labels: { region: 'eu', gpu: 'true' },
      runners: ['command'],
      runningTaskIds: [],
    });
    assert.ok(Math.abs(clockMs - Date.now()) < 5000);
  });

  it('sends heartbeats every heartbeatSeconds given in the hello ack', async () => {
    server = await GatewayStub.start();
    server.helloAck = () => ({ ok: true, workerId: 1, heartbeatSeconds: 0.1 });
    const s = server;
    worker = startWorker({ serverUrl: s.url, token: TOKEN, name: 'w1', capacity: 1, labels: {}, shutdownGraceSeconds: 1 }, { log: () => {} });
    await s.waitFor('3 heartbeats', () => s.heartbeats.length >= 3, 2000);
    assert.deepEqual((s.heartbeats[0] as { runningTaskIds: number[] }).runningTaskIds, []);
  });

  it('runs `echo hello`: running, then its output, then success', async () => {
    const s = await start();
    await s.waitFor('hello', () => s.hellos.length === 1);
    assert.deepEqual(await s.run(1, 'echo', 'hello'), { accepted: true });
    await s.waitFor('final update', () => s.updates(1).some((u) => u.status !== 'running'));
    assert.deepEqual(s.received.map((r) => (r.event === 'task:update' ? r.msg.status : 'output')), ['running', 'output', 'success']);
    assert.equal(s.output(1), 'hello\n');
    assert.equal(s.updates(1)[1]?.exitCode, 0);
  });

  it('refuses invalid, over-capacity and duplicate tasks, and kills a task on task:kill', async () => {
    const s = await start({ capacity: 1 });
    await s.waitFor('hello', () => s.hellos.length === 1);
    const invalid = await s.run(9, '');
    assert.equal(invalid.accepted === false && invalid.error.code, 'InvalidMessage');
    assert.deepEqual(await s.run(1, 'sleep', '30'), { accepted: true });
    assert.deepEqual(await s.run(1, 'sleep', '30'), { accepted: true });
    const full = await s.run(2, 'echo');
    assert.deepEqual(full.accepted === false && full.error, {
      code: 'WorkerAtCapacity',
      message: 'worker runs 1 of 1 tasks',
      retryable: true,
    });

    const socket = s.socket as WorkerSocket;
    assert.deepEqual(await socket.timeout(5000).emitWithAck('task:kill', { taskId: 1 }), { found: true });
    await s.waitFor('killed', () => s.updates(1).some((u) => u.status === 'killed'));
    assert.deepEqual(s.updates(1).map((u) => u.status), ['running', 'killed']);
    assert.equal(s.updates(1)[1]?.signal, 'SIGKILL');
    assert.deepEqual(await socket.timeout(5000).emitWithAck('task:kill', { taskId: 1 }), { found: false });
  });

  it('exits with the InvalidToken error instead of retrying forever when the token is wrong', async () => {
    const s = await start({ token: 'not-the-token' });
    const exit = await (worker as WorkerHandle).closed;
    assert.equal(exit.code, 1);
    assert.match(exit.reason ?? '', /InvalidToken/);
    assert.ok(!exit.reason?.includes('not-the-token'), 'the token is never logged');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(s.connections, 1, 'did not try again');
  });

  it('exits with code 1 when the server refuses the hello', async () => {
    server = await GatewayStub.start();
    server.helloAck = () => ({ ok: false, error: { code: 'ProtocolMismatch', message: 'expected 2', retryable: false } });
    worker = startWorker({ serverUrl: server.url, token: TOKEN, name: 'w1', capacity: 1, labels: {}, shutdownGraceSeconds: 1 }, {
      log: (line) => logs.push(line),
    });
    assert.deepEqual(await worker.closed, { code: 1, reason: 'refused by server: ProtocolMismatch: expected 2' });
    assert.ok(logs.includes('refused by server: ProtocolMismatch: expected 2'));
  });

  for (const [how, drop] of [
    ['disconnects the socket', (socket: WorkerSocket) => socket.disconnect(true)],
    ['closes the transport', (socket: WorkerSocket) => socket.conn.close()],
  ] as const) {
    it(`re-sends a final update after the server ${how} before acking it`, async () => {
      const s = await start();
      let dropped = false;
      s.onUpdate = (msg, ack, socket) => {
        if (msg.status !== 'success' || dropped) return ack({ recorded: true });
        dropped = true;
        drop(socket);
      };
      await s.waitFor('hello', () => s.hellos.length === 1);
      await s.run(5, 'echo', 'once');
      await s.waitFor('success twice', () => s.updates(5).filter((u) => u.status === 'success').length === 2);
      assert.equal(s.hellos.length, 2);
      assert.deepEqual(s.hellos[1]?.runningTaskIds, []);
      await (worker as WorkerHandle).stop();
      assert.equal(logs.some((l) => l.startsWith('giving up')), false, 'the re-sent update was acked');
    });
  }

  it('reports a task still running in the hello after a reconnect', async () => {
    const s = await start();
    await s.waitFor('hello', () => s.hellos.length === 1);
    await s.run(3, 'sleep', '30');
    await s.waitFor('running', () => s.updates(3).length === 1);
    (s.socket as WorkerSocket).disconnect(true);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.deepEqual(s.hellos[1]?.runningTaskIds, [3]);
  });

  it('stops gracefully: refuses new tasks, lets short ones finish, stops the rest as WorkerShutdown', async () => {
    const s = await start({ shutdownGraceSeconds: 0.5 });
    await s.waitFor('hello', () => s.hellos.length === 1);
    await s.run(1, 'sh', '-c', 'sleep 0.2; echo finished');
    await s.run(2, 'sleep', '30');
    await s.waitFor('both running', () => s.updates(1).length === 1 && s.updates(2).length === 1);
    const stopped = (worker as WorkerHandle).stop();
    const refused = await s.run(3, 'echo');
    assert.equal(refused.accepted === false && refused.error.code, 'WorkerDraining');

    assert.deepEqual(await stopped, { code: 0, reason: 'stopped' });
    assert.equal(s.updates(1).at(-1)?.status, 'success');
    assert.equal(s.output(1), 'finished\n');
    assert.deepEqual(s.updates(2).at(-1)?.error, { code: 'WorkerShutdown', message: 'worker is shutting down', retryable: true });
    assert.equal(s.updates(2).at(-1)?.status, 'killed');
  });
});
