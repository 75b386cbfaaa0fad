// A worker that speaks the real protocol and does no work: hello, heartbeats, and for each
// task in a `task:runs` batch an immediate accept, `running` and `success`. It notes when each task arrived.
import { hostname } from 'node:os';
import { io, type Socket } from 'socket.io-client';
import {
  HelloAckSchema,
  PROTOCOL_VERSION,
  WORKER_NAMESPACE,
  WorkerHelloSchema,
  parseBatch,
  parseWith,
  type ServerToWorkerEvents,
  type TaskRunAck,
  type TaskRunsAck,
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
    this.socket.on('task:runs', (raw, ack) => this.onRuns(raw, ack));
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

  private onRuns(raw: unknown, ack: (res: TaskRunsAck) => void): void {
    const arrived = Date.now();
    const reply = typeof ack === 'function' ? ack : () => undefined;
    const batch = parseBatch('task:runs', raw);
    if (!batch.ok) {
      this.arrivals.invalid++;
      reply({ acks: [] });
      return;
    }
    const acks: TaskRunAck[] = [];
    const updates: TaskUpdate[] = [];
    for (const msg of batch.items) {
      if (!msg.ok) {
        this.arrivals.invalid++;
        acks.push({ accepted: false, error: msg.error });
        continue;
      }
      const t = msg.value;
      this.received++;
      this.arrivals.record(t.cronjobId, t.scheduledAtMs, arrived);
      acks.push({ accepted: true });
      this.running.add(t.taskId);
      updates.push({ taskId: t.taskId, status: 'running', atMs: Date.now() }, { taskId: t.taskId, status: 'success', atMs: Date.now(), exitCode: 0 });
    }
    reply({ acks });
    if (updates.length > 0) this.update(updates);
  }

  private update(updates: TaskUpdate[]): void {
    this.arrivals.updatesSent += updates.length;
    this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('task:updates', { updates })
      .then(
        (res: { recorded?: boolean[] }) => {
          this.arrivals.updatesNotRecorded += updates.filter((_, i) => res?.recorded?.[i] !== true).length;
        },
        () => (this.arrivals.updateAckTimeouts += updates.length),
      )
      .finally(() => {
        for (const u of updates) if (u.status !== 'running') this.running.delete(u.taskId);
      });
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.disconnect();
  }
}
