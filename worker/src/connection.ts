import { rootCertificates } from 'node:tls';
import { io, type Socket } from 'socket.io-client';
import {
  HelloAckSchema,
  WORKER_NAMESPACE,
  parseWith,
  type ServerToWorkerEvents,
  type TaskKillAck,
  type TaskOutput,
  type TaskRunAck,
  type TaskUpdate,
  type WorkerHeartbeat,
  type WorkerHello,
  type WorkerToServerEvents,
} from '@cronfleet/shared';
import type { OutboxChannel } from './outbox';

const HELLO_ACK_TIMEOUT_MS = 10_000;
/** An output chunk not acknowledged by then no longer counts against the output in flight. */
const OUTPUT_ACK_TIMEOUT_MS = 30_000;
const RECONNECT_DELAY_MS = 500;
const RECONNECT_DELAY_MAX_MS = 10_000;

/** What the connection needs from the rest of the worker. */
export interface ConnectionHandlers {
  /** Builds `worker:hello` for the connection being made (running tasks change between reconnects). */
  hello(): WorkerHello;
  /** Builds a `worker:heartbeat` (running tasks, draining, host figures). */
  heartbeat(): WorkerHeartbeat;
  onReady(): void;
  /** Incoming events, unvalidated: the handler checks them against the shared schemas. */
  onTaskRun(msg: unknown, ack: (res: TaskRunAck) => void): void;
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
    this.socket.on('task:run', (msg, ack) => this.handlers.onTaskRun(msg, ackOrNoop(ack)));
    this.socket.on('task:stop', (msg, ack) => this.handlers.onTaskStop(msg, ackOrNoop(ack)));
    this.socket.on('task:kill', (msg, ack) => this.handlers.onTaskKill(msg, ackOrNoop(ack)));
  }

  get ready(): boolean {
    return this.isReady;
  }

  open(): void {
    this.socket.connect();
  }

  emitOutput(msg: TaskOutput): Promise<unknown> {
    return this.socket.timeout(OUTPUT_ACK_TIMEOUT_MS).emitWithAck('task:output', msg);
  }

  emitUpdate(msg: TaskUpdate, timeoutMs: number): Promise<unknown> {
    return this.socket.timeout(timeoutMs).emitWithAck('task:update', msg);
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
    if (!ack.ok) return this.handlers.onFatal(`refused by server: ${ack.error.code}: ${ack.error.message}`);

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
    if (!this.loggedErrors.has(err.message)) {
      this.loggedErrors.add(err.message);
      this.log(`cannot connect to ${this.serverUrl}: ${err.message}; retrying`);
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
