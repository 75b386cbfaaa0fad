// A worker that speaks the real protocol and does no work: hello, heartbeats, and for each
// `task:run` an immediate accept, `running` and `success`. It notes when each `task:run` arrived.
import { hostname } from 'node:os';
import { io, type Socket } from 'socket.io-client';
import {
  HelloAckSchema,
  PROTOCOL_VERSION,
  WORKER_NAMESPACE,
  WorkerHelloSchema,
  parseEvent,
  parseWith,
  type ServerToWorkerEvents,
  type TaskRunAck,
  type TaskUpdate,
  type WorkerHello,
  type WorkerToServerEvents,
} from '@cronfleet/shared';

const ACK_TIMEOUT_MS = 30_000;

/** Where every worker reports what it received; shared by the workers of one run. */
export class Arrivals {
  /** Lag (arrival − scheduledAtMs), ms, per message; with the due time, so a window can be cut later. */
  readonly dueMs: number[] = [];
  readonly lagMs: number[] = [];
  /** `cronjobId:scheduledAtMs` seen, to count duplicates. */
  private readonly seen = new Set<string>();
  duplicates = 0;
  invalid = 0;
  updatesSent = 0;
  updatesNotRecorded = 0;
  updateAckTimeouts = 0;
  lastArrivalMs = 0;
  /** Latest due time received. */
  maxDueMs = 0;

  record(cronjobId: number | null, scheduledAtMs: number, arrivedMs: number): void {
    const key = `${cronjobId}:${scheduledAtMs}`;
    if (this.seen.has(key)) this.duplicates++;
    else this.seen.add(key);
    this.dueMs.push(scheduledAtMs);
    this.lagMs.push(arrivedMs - scheduledAtMs);
    this.lastArrivalMs = arrivedMs;
    if (scheduledAtMs > this.maxDueMs) this.maxDueMs = scheduledAtMs;
  }
}

export class FakeWorker {
  private readonly socket: Socket<ServerToWorkerEvents, WorkerToServerEvents>;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly running = new Set<number>();
  received = 0;

  constructor(
    serverUrl: string,
    token: string,
    readonly name: string,
    private readonly capacity: number,
    private readonly arrivals: Arrivals,
  ) {
    this.socket = io(serverUrl + WORKER_NAMESPACE, { auth: { token }, transports: ['websocket'], reconnection: false, autoConnect: false });
    this.socket.on('task:run', (raw, ack) => this.onRun(raw, ack));
    this.socket.on('task:kill', (_raw, ack) => typeof ack === 'function' && ack({ found: false }));
  }

  /** Connects and says hello; resolves once the server accepted it. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(new Error(`worker ${this.name}: cannot connect: ${e.message}`)));
      this.socket.connect();
    });
    const hello: WorkerHello = {
      name: this.name,
      hostname: hostname(),
      version: 'bench',
      protocolVersion: PROTOCOL_VERSION,
      capacity: this.capacity,
      labels: { bench: 'dispatch' },
      runners: ['command'],
      runningTaskIds: [],
      clockMs: Date.now(),
      draining: false,
    };
    const checked = parseWith(WorkerHelloSchema, hello, 'worker:hello');
    if (!checked.ok) throw new Error(`bench's own hello is invalid: ${checked.error.message}`);
    const raw: unknown = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('worker:hello', checked.value);
    const ack = parseWith(HelloAckSchema, raw, 'worker:hello ack');
    if (!ack.ok) throw new Error(`worker ${this.name}: ${ack.error.message}`);
    if (!ack.value.ok) throw new Error(`worker ${this.name} refused: ${ack.value.error.code}: ${ack.value.error.message}`);
    this.heartbeat = setInterval(() => {
      this.socket.emit('worker:heartbeat', { runningTaskIds: [...this.running], atMs: Date.now(), draining: false });
    }, ack.value.heartbeatSeconds * 1000);
  }

  private onRun(raw: unknown, ack: (res: TaskRunAck) => void): void {
    const arrived = Date.now();
    const reply = typeof ack === 'function' ? ack : () => undefined;
    const msg = parseEvent('task:run', raw);
    if (!msg.ok) {
      this.arrivals.invalid++;
      reply({ accepted: false, error: msg.error });
      return;
    }
    const t = msg.value;
    this.received++;
    this.arrivals.record(t.cronjobId, t.scheduledAtMs, arrived);
    reply({ accepted: true });
    this.running.add(t.taskId);
    this.update({ taskId: t.taskId, status: 'running', atMs: Date.now() });
    this.update({ taskId: t.taskId, status: 'success', atMs: Date.now(), exitCode: 0 });
  }

  private update(msg: TaskUpdate): void {
    this.arrivals.updatesSent++;
    this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('task:update', msg)
      .then(
        (res: { recorded: boolean }) => {
          if (!res?.recorded) this.arrivals.updatesNotRecorded++;
        },
        () => this.arrivals.updateAckTimeouts++,
      )
      .finally(() => {
        if (msg.status !== 'running') this.running.delete(msg.taskId);
      });
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.disconnect();
  }
}
