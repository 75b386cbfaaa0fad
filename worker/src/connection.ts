import { rootCertificates } from 'node:tls';
import { io, type Socket } from 'socket.io-client';
import {
  BatchSender,
  HelloAckSchema,
  MAX_BATCH,
  WORKER_NAMESPACE,
  parseWith,
  type SerializedError,
  type ServerToWorkerEvents,
  type TaskKillAck,
  type TaskOutput,
  type TaskOutputsAck,
  type TaskRunsAck,
  type TaskUpdate,
  type TaskUpdatesAck,
  type WorkerHeartbeat,
  type WorkerHello,
  type WorkerToServerEvents,
} from '@cronfleet/shared';
import { describeConnectError } from './connect-error';
import type { OutboxChannel } from './outbox';

const HELLO_ACK_TIMEOUT_MS = 10_000;
/** An output chunk not acknowledged by then no longer counts against the output in flight. */
const OUTPUT_ACK_TIMEOUT_MS = 30_000;
const RECONNECT_DELAY_MS = 500;
const RECONNECT_DELAY_MAX_MS = 10_000;
/** A batch of output chunks is cut at about this many characters (one big chunk still goes alone). */
const OUTPUT_BATCH_CHARS = 1024 * 1024;

/** What the connection needs from the rest of the worker. */
export interface ConnectionHandlers {
  /** Builds `worker:hello` for the connection being made (running tasks change between reconnects). */
  hello(): WorkerHello;
  /** Builds a `worker:heartbeat` (running tasks, draining, host figures). */
  heartbeat(): WorkerHeartbeat;
  onReady(): void;
  /** The server enrolled this worker: keep `credential` for every later hello. Called before onReady. */
  onEnrolled(credential: string): void;
  /** Incoming events, unvalidated: the handler checks them against the shared schemas. */
  onTaskRuns(msg: unknown, ack: (res: TaskRunsAck) => void): void;
  onTaskStop(msg: unknown, ack: (res: TaskKillAck) => void): void;
  onTaskKill(msg: unknown, ack: (res: TaskKillAck) => void): void;
  /** Something that retrying cannot fix (bad token, refused hello): the worker should exit. */
  onFatal(reason: string): void;
}

/**
 * The socket to the API server. States: connecting → (hello acked) ready → disconnected → connecting…
 * until close() or a fatal refusal. socket.io's Manager reconnects after transport failures by itself;
 * after a server-side disconnect or a middleware rejection the socket is inactive and we reconnect it
 * with the same backoff ourselves, since a server restarting or shedding load is not a reason to quit.
 */
export class WorkerConnection implements OutboxChannel {
  private readonly socket: Socket<ServerToWorkerEvents, WorkerToServerEvents>;
  private isReady = false;
  private closed = false;
  private attempt = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly loggedErrors = new Set<string>();
  private updateTimeoutMs = 5000;
  private flushScheduled = false;
  // Output and updates of one turn go out together, output first: a task's last chunk before its result.
  private readonly outputs = new BatchSender<TaskOutput, { stored?: boolean }>(
    async (outputs) => {
      this.mustBeReady();
      const ack = (await this.socket.timeout(OUTPUT_ACK_TIMEOUT_MS).emitWithAck('task:outputs', { outputs })) as Partial<TaskOutputsAck> | null;
      return outputs.map((_, i) => ({ stored: Array.isArray(ack?.stored) ? ack.stored[i] : undefined }));
    },
    { maxItems: MAX_BATCH, maxBytes: OUTPUT_BATCH_CHARS, sizeOf: (o) => o.data.length, schedule: () => this.scheduleFlush() },
  );
  private readonly updates = new BatchSender<TaskUpdate, { recorded?: boolean; refusal?: SerializedError | null }>(
    async (updates) => {
      this.mustBeReady();
      const ack = (await this.socket.timeout(this.updateTimeoutMs).emitWithAck('task:updates', { updates })) as Partial<TaskUpdatesAck> | null;
      if (ack?.error) this.log(`the server refused task:updates: ${ack.error.message}`);
      return updates.map((_, i) => ({ recorded: Array.isArray(ack?.recorded) ? ack.recorded[i] : undefined, refusal: Array.isArray(ack?.refusals) ? ack.refusals[i] : undefined }));
    },
    { maxItems: MAX_BATCH, schedule: () => this.scheduleFlush() },
  );

  constructor(
    private readonly serverUrl: string,
    token: string,
    private readonly handlers: ConnectionHandlers,
    private readonly log: (line: string) => void,
    /** PEM certificate(s) trusted besides the system's CAs (`--ca`); null: the system's only. */
    ca: string | null = null,
  ) {
    this.socket = io(serverUrl + WORKER_NAMESPACE, {
      auth: { token },
      ...(ca ? { ca: [...rootCertificates, ca] } : {}),
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: RECONNECT_DELAY_MS,
      reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
      autoConnect: false,
    });
    this.socket.on('connect', () => void this.greet());
    this.socket.on('disconnect', (reason) => this.onDisconnect(reason));
    this.socket.on('connect_error', (err) => this.onConnectError(err));
    this.socket.on('task:runs', (msg, ack) => this.handlers.onTaskRuns(msg, ackOrNoop(ack)));
    this.socket.on('task:stop', (msg, ack) => this.handlers.onTaskStop(msg, ackOrNoop(ack)));
    this.socket.on('task:kill', (msg, ack) => this.handlers.onTaskKill(msg, ackOrNoop(ack)));
  }

  get ready(): boolean {
    return this.isReady;
  }

  open(): void {
    this.socket.connect();
  }

  /** Sent in this turn's `task:outputs` batch; resolves with `{ stored }` for this chunk. */
  emitOutput(msg: TaskOutput): Promise<unknown> {
    return this.outputs.push(msg);
  }

  /** Sent in this turn's `task:updates` batch; resolves with `{ recorded }` for this update. */
  emitUpdate(msg: TaskUpdate, timeoutMs: number): Promise<unknown> {
    this.updateTimeoutMs = timeoutMs;
    return this.updates.push(msg);
  }

  /**
   * A batch is sent a turn after its first item: if the connection dropped meanwhile, it is refused
   * rather than left in socket.io's buffer, which would replay it ahead of the next hello. The
   * outbox sends unacked updates again once ready; output is best effort (its seq gap shows).
   */
  private mustBeReady(): void {
    if (!this.isReady) throw new Error('not connected to the server');
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.outputs.flush();
      this.updates.flush();
    });
  }

  /** Sends a heartbeat now (e.g. the worker started draining); a later hello carries the news when not connected. */
  sendHeartbeat(): void {
    if (this.isReady) this.socket.emit('worker:heartbeat', this.handlers.heartbeat());
  }

  /** Disconnects for good; pending acks reject. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.isReady = false;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    this.socket.disconnect();
  }

  private async greet(): Promise<void> {
    const socketId = this.socket.id;
    let raw: unknown;
    try {
      raw = await this.socket.timeout(HELLO_ACK_TIMEOUT_MS).emitWithAck('worker:hello', this.handlers.hello());
    } catch {
      if (this.closed || this.socket.id !== socketId || !this.socket.connected) return;
      this.log(`no answer to worker:hello within ${HELLO_ACK_TIMEOUT_MS / 1000} s; reconnecting`);
      this.socket.disconnect(); // onDisconnect() schedules the reconnect
      return;
    }
    if (this.closed || this.socket.id !== socketId) return;
    const parsed = parseWith(HelloAckSchema, raw, 'worker:hello ack');
    if (!parsed.ok) return this.handlers.onFatal(`unexpected answer to worker:hello: ${parsed.error.message}`);
    const ack = parsed.value;
    if (!ack.ok && ack.error.retryable) {
      // The server could not take the hello now (its database or Redis is down): not a refusal of this worker.
      this.log(`the server could not take the hello now: ${ack.error.code}: ${ack.error.message}; reconnecting`);
      this.socket.disconnect(); // onDisconnect() schedules the reconnect, with backoff
      return;
    }
    if (!ack.ok) return this.handlers.onFatal(`refused by server: ${ack.error.code}: ${ack.error.message}`);
    if (ack.credential !== undefined) this.handlers.onEnrolled(ack.credential);

    this.isReady = true;
    this.attempt = 0;
    this.loggedErrors.clear();
    this.log(`connected to ${this.serverUrl} as worker ${ack.workerId}`);
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.sendHeartbeat(), ack.heartbeatSeconds * 1000);
    this.handlers.onReady();
  }

  private onDisconnect(reason: Socket.DisconnectReason): void {
    const wasReady = this.isReady;
    this.isReady = false;
    clearInterval(this.heartbeat);
    if (this.closed) return;
    if (wasReady) this.log(`disconnected (${reason}); reconnecting`);
    if (!this.socket.active) this.reconnectLater();
  }

  private onConnectError(err: Error): void {
    if (this.closed) return;
    if (err.message.startsWith('InvalidToken')) {
      this.handlers.onFatal(`the server rejected the worker token (${err.message}); check --token / CRONFLEET_WORKER_TOKEN`);
      return;
    }
    // Once per distinct reason, not per retry: a worker retries for ever.
    const reason = describeConnectError(err);
    if (!this.loggedErrors.has(reason)) {
      this.loggedErrors.add(reason);
      this.log(`cannot connect to ${this.serverUrl}: ${reason}; retrying`);
    }
    if (!this.socket.active) this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed || this.reconnectTimer) return;
    const base = Math.min(RECONNECT_DELAY_MS * 2 ** this.attempt++, RECONNECT_DELAY_MAX_MS);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) this.socket.connect();
    }, delay);
  }
}

/** The server may emit without an ack callback; answering must not throw then. */
function ackOrNoop<T>(ack: ((res: T) => void) | undefined): (res: T) => void {
  return typeof ack === 'function' ? ack : () => undefined;
}
