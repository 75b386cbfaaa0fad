import { Inject, Logger, OnApplicationShutdown } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { HelloAck, WorkerHello } from '@cronfleet/shared';
import { coerceError, parseEvent, PROTOCOL_VERSION, WORKER_NAMESPACE, WorkerAuthSchema } from '@cronfleet/shared';
import type { Namespace } from 'socket.io';
import { tokensEqual } from '../common/token';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG, TOKENS } from '../config/tokens';
import type { Tokens } from '../config/secrets';
import { WorkerSocket, WorkersRegistry } from './workers.registry';
import { WorkersRepository } from './workers.repository';

/**
 * The socket.io edge for workers (namespace `/workers`). A connection must carry the worker token in
 * its handshake; then it must say `worker:hello` before anything else counts. Every payload is
 * validated against the shared schemas; a bad one is logged and dropped, never trusted.
 */
@WebSocketGateway({ namespace: WORKER_NAMESPACE, maxHttpBufferSize: 8 * 1024 * 1024, pingInterval: 10_000, pingTimeout: 10_000 })
export class WorkersGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger('workers');
  private readonly lostTimers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly registry: WorkersRegistry,
    private readonly repo: WorkersRepository,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(TOKENS) private readonly tokens: Tokens,
  ) {}

  afterInit(ns: Namespace): void {
    ns.use((socket, next) => {
      const auth = WorkerAuthSchema.safeParse(socket.handshake.auth);
      if (!auth.success || !tokensEqual(auth.data.token, this.tokens.workerToken)) {
        this.logger.warn(`refused a worker from ${socket.handshake.address}: bad or missing token`);
        next(new Error('InvalidToken: the worker token was refused by the server'));
        return;
      }
      next();
    });
  }

  handleConnection(socket: WorkerSocket): void {
    socket.on('worker:hello', (raw, ack) => {
      this.hello(socket, raw).then(
        (res) => typeof ack === 'function' && ack(res),
        (e: unknown) => typeof ack === 'function' && ack({ ok: false, error: coerceError(e) }),
      );
    });
    socket.on('worker:heartbeat', (raw) => {
      const workerId = socket.data.workerId as number | undefined;
      const msg = parseEvent('worker:heartbeat', raw);
      if (!workerId || !msg.ok) return;
      void this.repo.heartbeat(workerId, new Date()).catch((e: unknown) => this.logger.warn(`heartbeat of worker ${workerId}: ${coerceError(e).message}`));
    });
    socket.on('task:update', (raw, ack) => {
      const workerId = socket.data.workerId as number | undefined;
      const msg = parseEvent('task:update', raw);
      if (!workerId || !msg.ok) {
        if (!msg.ok) this.logger.warn(`dropped a task:update: ${msg.error.message}`);
        if (typeof ack === 'function') ack({ recorded: false });
        return;
      }
      this.registry.reportHandler.update(workerId, msg.value).then(
        (recorded) => typeof ack === 'function' && ack({ recorded }),
        (e: unknown) => {
          this.logger.error(`recording task ${msg.value.taskId}: ${coerceError(e).message}`);
          if (typeof ack === 'function') ack({ recorded: false });
        },
      );
    });
    socket.on('task:output', (raw) => {
      const workerId = socket.data.workerId as number | undefined;
      const msg = parseEvent('task:output', raw);
      if (!workerId || !msg.ok) return;
      void this.registry.reportHandler.output(workerId, msg.value).catch((e: unknown) => this.logger.warn(`output of task ${msg.value.taskId}: ${coerceError(e).message}`));
    });
  }

  private async hello(socket: WorkerSocket, raw: unknown): Promise<HelloAck> {
    const msg = parseEvent('worker:hello', raw);
    if (!msg.ok) return this.refuse(socket, msg.error.code, msg.error.message);
    const hello: WorkerHello = msg.value;
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return this.refuse(socket, 'ProtocolMismatch', `worker speaks protocol ${hello.protocolVersion}, server speaks ${PROTOCOL_VERSION}: upgrade the older side`);
    }
    const known = await this.repo.findByName(hello.name);
    if (known && this.registry.isConnected(known.id) && this.registry.socketOf(known.id) !== socket) {
      return this.refuse(socket, 'WorkerNameTaken', `a worker named '${hello.name}' is already connected; give each worker its own --name`);
    }
    const worker = await this.repo.register(hello, new Date());
    this.clearLostTimer(worker.id);
    socket.data.workerId = worker.id;
    this.registry.add(worker.id, socket, { id: worker.id, name: worker.name, capacity: worker.capacity, online: true, runners: worker.runners }, hello.runningTaskIds);
    this.logger.log(`worker '${hello.name}' (id ${worker.id}, ${hello.hostname}) online, capacity ${hello.capacity}`);
    await this.registry.reportHandler.reconcile(worker.id, hello.runningTaskIds);
    return { ok: true, workerId: worker.id, heartbeatSeconds: this.config.heartbeatSeconds };
  }

  private refuse(socket: WorkerSocket, code: string, message: string): HelloAck {
    this.logger.warn(`refused worker: ${message}`);
    // Let the ack reach the worker before the connection goes.
    setTimeout(() => socket.disconnect(true), 100);
    return { ok: false, error: { code, message, retryable: false } };
  }

  handleDisconnect(socket: WorkerSocket): void {
    const workerId = socket.data.workerId as number | undefined;
    if (!workerId || !this.registry.remove(workerId, socket)) return;
    this.logger.log(`worker ${workerId} disconnected`);
    void this.repo.markOffline(workerId).catch(() => undefined);
    // A worker that does not come back within three heartbeats has lost what it was running.
    const t = setTimeout(() => {
      this.lostTimers.delete(workerId);
      if (!this.registry.isConnected(workerId)) {
        void this.registry.reportHandler.reconcile(workerId, []).catch((e: unknown) => this.logger.warn(`marking tasks of worker ${workerId} lost: ${coerceError(e).message}`));
      }
    }, 3 * this.config.heartbeatSeconds * 1000);
    t.unref();
    this.lostTimers.set(workerId, t);
  }

  private clearLostTimer(workerId: number): void {
    const t = this.lostTimers.get(workerId);
    if (t) clearTimeout(t);
    this.lostTimers.delete(workerId);
  }

  onApplicationShutdown(): void {
    for (const t of this.lostTimers.values()) clearTimeout(t);
    this.lostTimers.clear();
  }
}
