import { NamespacesService } from '../namespaces/namespaces.service';
import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { HelloAck, SerializedError, TaskOutput, TaskOutputsAck, TaskUpdate, TaskUpdatesAck, WorkerHello } from '@cronfleet/shared';
import { coerceError, firstItemError, parseBatch, parseEvent, PROTOCOL_VERSION, WORKER_NAMESPACE, WorkerAuthSchema } from '@cronfleet/shared';
import type { Namespace } from 'socket.io';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { SOCKET_SERVER_OPTIONS } from '../common/socket-server-options';
import { tokensEqual } from '../common/token';
import type { ServerConfig } from '../config/config';
import { INSTANCE_ID, SERVER_CONFIG, TOKENS } from '../config/tokens';
import { ClusterEvents } from '../cluster/cluster-events';
import type { Tokens } from '../config/secrets';
import { TaskLifecycle, type ReportAnswer } from '../tasks/lifecycle/task-lifecycle';
import { TaskOutputService } from '../tasks/task-output.service';
import type { WorkerEntity } from './worker.entity';
import { admitWorker, hashCredential, newCredential, type LiveConnection } from './worker-admission';
import { WorkerSocket, WorkersRegistry } from './workers.registry';
import { WorkersRepository } from './workers.repository';

/**
 * The socket.io edge for workers (namespace `/workers`). A connection must carry the worker token in
 * its handshake; then it must say `worker:hello` before anything else counts. The token only lets a
 * worker enrol: from its first hello on, its name is its own, held with a credential the server
 * issued it (see worker-admission.ts). Every payload is validated against the shared schemas; a bad
 * one is logged and dropped, never trusted.
 *
 * A dropped connection makes the worker `unreachable` (no new tasks); whether it is gone for good
 * (`offline`, tasks lost) is the leader's call, from the heartbeat times in the database, so it
 * holds even when the instance that held the connection died with it (see WorkerLiveness).
 */
@WebSocketGateway({ namespace: WORKER_NAMESPACE, ...SOCKET_SERVER_OPTIONS })
export class WorkersGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('workers');

  constructor(
    private readonly registry: WorkersRegistry,
    private readonly repo: WorkersRepository,
    private readonly events: ClusterEvents,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(TOKENS) private readonly tokens: Tokens,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
    private readonly limiter: AuthFailureLimiter,
    private readonly namespaces: NamespacesService,
    private readonly lifecycle: TaskLifecycle,
    private readonly outputs: TaskOutputService,
  ) {}

  afterInit(ns: Namespace): void {
    this.registry.attach(ns);
    ns.use((socket, next) => {
      const address = socket.handshake.address;
      const blockedMs = this.limiter.blockedForMs(address, Date.now());
      // Not InvalidToken: a worker reconnects after this (with backoff) instead of exiting.
      if (blockedMs > 0) return next(new Error(`TooManyAuthFailures: ${AuthFailureLimiter.refusal(blockedMs).message}`));
      const auth = WorkerAuthSchema.safeParse(socket.handshake.auth);
      if (!auth.success || !tokensEqual(auth.data.token, this.tokens.workerToken)) {
        this.limiter.fail(address, Date.now());
        this.logger.warn(`refused a worker from ${address}: bad or missing token`);
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
        (e: unknown) => {
          // Not a refusal (those are answered, not thrown): the database or Redis failed. Retryable,
          // so the worker tries again instead of exiting (the long chaos run saw one exit on a Redis restart).
          this.logger.warn(`worker:hello from ${socket.handshake.address}: ${coerceError(e).message}`);
          if (typeof ack === 'function') ack({ ok: false, error: { code: 'ServerUnavailable', message: 'the server could not take the hello now (its database or Redis did not answer); the worker tries again', retryable: true } });
        },
      );
    });
    socket.on('worker:heartbeat', (raw) => {
      const workerId = socket.data.workerId as number | undefined;
      const msg = parseEvent('worker:heartbeat', raw);
      if (!workerId || !msg.ok) return;
      const beat = msg.value;
      socket.data.lastBeatMs = Date.now();
      if (beat.draining !== socket.data.shuttingDown) {
        socket.data.shuttingDown = beat.draining;
        this.logger.log(`worker ${workerId} ${beat.draining ? 'is shutting down: no new tasks' : 'takes tasks again'}`);
        void this.events.publish({ type: 'worker.changed', id: workerId, shuttingDown: beat.draining }).catch(() => undefined);
      }
      void this.repo
        .heartbeat(workerId, { at: new Date(), shuttingDown: beat.draining, stats: beat.stats ?? null })
        .catch((e: unknown) => this.logger.warn(`heartbeat of worker ${workerId}: ${coerceError(e).message}`));
    });
    // Batches from the worker: each item is validated and handled on its own, one ack answers all.
    socket.on('task:updates', (raw, ack) => {
      const reply = (res: TaskUpdatesAck): void => void (typeof ack === 'function' && ack(res));
      const refusals: (SerializedError | null)[] = [];
      void this.answerBatch(socket, 'task:updates', raw, async (workerId, u, i) => {
        // The worker has finished it: its slot is free now, not once the row is written (the worker
        // keeps the result until that is acked). Only this worker's own slot: whatever the report says.
        if (u.status !== 'running') this.registry.release(workerId, u.taskId);
        const answer = await this.lifecycle.report(workerId, u).catch((e: unknown): ReportAnswer => {
          this.logger.error(`recording task ${u.taskId}: ${coerceError(e).message}`);
          return { recorded: false, error: { code: 'NotRecorded', message: `the server could not store the report now: ${coerceError(e).message}`, retryable: true } };
        });
        refusals[i] = answer.error ?? null;
        return answer.recorded;
      }).then(({ answers, error }) => {
        const withReasons = refusals.some((r) => r) ? { refusals: answers.map((_, i) => refusals[i] ?? null) } : {};
        reply({ recorded: answers, ...withReasons, ...(error ? { error } : {}) });
      });
    });
    socket.on('task:outputs', (raw, ack) => {
      const reply = (res: TaskOutputsAck): void => void (typeof ack === 'function' && ack(res));
      void this.answerBatch(socket, 'task:outputs', raw, (workerId, o) =>
        // Output follows its task's start: a `running` report still being written is waited for.
        this.outputs.fromWorker(workerId, o, this.lifecycle.startOf(o.taskId)).then(
          () => true,
          (e: unknown) => {
            this.logger.warn(`output of task ${o.taskId}: ${coerceError(e).message}`);
            return false;
          },
        ),
      ).then(({ answers, error }) => reply(error ? { stored: answers, error } : { stored: answers }));
    });
  }

  /**
   * A batch from a worker: each well-formed item handled on its own (`handle` never rejects), a
   * malformed one answered false. `error` names the first malformed item, or the whole batch when
   * its envelope is malformed or the worker has not said hello (then `answers` is empty).
   */
  private async answerBatch<E extends 'task:updates' | 'task:outputs'>(
    socket: WorkerSocket,
    event: E,
    raw: unknown,
    handle: (workerId: number, item: E extends 'task:updates' ? TaskUpdate : TaskOutput, index: number) => Promise<boolean>,
  ): Promise<{ answers: boolean[]; error?: SerializedError }> {
    const workerId = socket.data.workerId as number | undefined;
    if (!workerId) return { answers: [], error: NOT_GREETED };
    const batch = parseBatch(event, raw);
    if (!batch.ok) {
      this.logger.warn(`dropped a ${event} batch: ${batch.error.message}`);
      return { answers: [], error: batch.error };
    }
    const error = firstItemError(batch.items);
    if (error) this.logger.warn(`dropped part of a ${event} batch: ${error.message}`);
    const answers = await Promise.all(batch.items.map((item, i) => (item.ok ? handle(workerId, item.value as E extends 'task:updates' ? TaskUpdate : TaskOutput, i) : false)));
    return error ? { answers, error } : { answers };
  }

  private async hello(socket: WorkerSocket, raw: unknown): Promise<HelloAck> {
    const msg = parseEvent('worker:hello', raw);
    if (!msg.ok) return this.refuse(socket, msg.error.code, msg.error.message);
    const hello: WorkerHello = msg.value;
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return this.refuse(socket, 'ProtocolMismatch', `worker speaks protocol ${hello.protocolVersion}, server speaks ${PROTOCOL_VERSION}: upgrade the older side`);
    }
    const skewMs = hello.clockMs - Date.now();
    if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
      return this.refuse(
        socket,
        'ClockSkew',
        `the worker's clock is ${(Math.abs(skewMs) / 1000).toFixed(1)} s ${skewMs > 0 ? 'ahead of' : 'behind'} the server's (at most ${MAX_CLOCK_SKEW_MS / 1000} s allowed): synchronise the host's clock (NTP)`,
      );
    }
    if (hello.namespace !== undefined && !(await this.namespaces.exists(hello.namespace))) {
      return this.refuse(socket, 'UnknownNamespace', `--namespace: the server has no namespace '${hello.namespace}'; create it (cronfleet namespaces create ${hello.namespace}) or start the worker without --namespace to serve every namespace`);
    }
    const known = await this.repo.findByName(hello.name);
    // Every refusal comes before the registration and the reconcile below: a refused hello changes nothing.
    const admission = admitWorker(known, hello, known && this.liveConnection(known, socket));
    if (admission.verdict === 'refuse') return this.refuse(socket, admission.code, admission.message);
    // Issued once, in this ack; the server keeps only its hash.
    const credential = admission.verdict === 'enrol' ? newCredential() : null;
    const worker = await this.repo.register(hello, this.instanceId, new Date(), known, credential === null ? null : hashCredential(credential));
    if (!worker) {
      return this.refuse(socket, 'WorkerEnrolmentChanged', `worker '${hello.name}' was enrolled, revoked or re-enrolled by someone else while it said hello; start it again`);
    }
    socket.data.workerId = worker.id;
    socket.data.shuttingDown = hello.draining;
    socket.data.lastBeatMs = Date.now();
    // Before it is announced, so the leader sends it nothing that this would then take for lost.
    const ended = await this.lifecycle.workerReturned(worker.id, hello.runningTaskIds);
    await this.registry.connected(socket, {
      id: worker.id,
      name: worker.name,
      capacity: worker.capacity,
      labels: worker.labels,
      runners: worker.runners,
      namespace: worker.namespace,
      drained: worker.drained,
      shuttingDown: hello.draining,
      running: hello.runningTaskIds,
      instanceId: this.instanceId,
      sessionId: hello.sessionId ?? null,
    });
    for (const taskId of ended) {
      // It may only hold the result (sent right after this hello); if the task still runs, it goes.
      this.logger.warn(`task ${taskId} was ended while worker ${worker.id} was away; telling the worker to kill it if it still runs`);
      setImmediate(() => void this.registry.sendKill(worker.id, taskId, 'the server ended this task while the worker was unreachable'));
    }
    const enrolled = credential !== null ? ', enrolled now (credential issued)' : worker.enrolment === 'open' ? ', not enrolled (the worker does not keep credentials: upgrade it)' : '';
    this.logger.log(`worker '${hello.name}' (id ${worker.id}, ${hello.hostname}) online, capacity ${hello.capacity}${worker.drained ? ', drained' : ''}${enrolled}`);
    return { ok: true, workerId: worker.id, heartbeatSeconds: this.config.heartbeatSeconds, ...(credential !== null ? { credential } : {}) };
  }

  /**
   * The other connection that holds this worker's name now, if any: online on some instance and
   * heartbeating. A connection left over from an instance that died stops heartbeating and no longer
   * counts after two intervals. A heartbeat heard here counts before its database write lands.
   */
  private liveConnection(known: WorkerEntity, socket: WorkerSocket): LiveConnection | null {
    const heardMs = Math.max(known.lastHeartbeatAt?.getTime() ?? 0, this.registry.lastBeatMs(known.id) ?? 0);
    const fresh = Date.now() - heardMs < 2 * this.config.heartbeatSeconds * 1000;
    if (!fresh || !this.registry.isOnline(known.id) || this.registry.socketOf(known.id) === socket) return null;
    return { sessionId: this.registry.sessionOf(known.id) ?? known.sessionId };
  }

  private refuse(socket: WorkerSocket, code: string, message: string): HelloAck {
    this.logger.warn(`refused worker: ${message}`);
    // Let the ack reach the worker before the connection goes.
    setTimeout(() => socket.disconnect(true), 100);
    return { ok: false, error: { code, message, retryable: false } };
  }

  handleDisconnect(socket: WorkerSocket): void {
    const workerId = socket.data.workerId as number | undefined;
    if (!workerId || !this.registry.disconnected(workerId, socket)) return;
    this.logger.log(`worker ${workerId} disconnected`);
    void this.repo.markUnreachable(workerId, this.instanceId).catch(() => undefined);
  }
}

const NOT_GREETED: SerializedError = { code: 'NotGreeted', message: 'say worker:hello (and have it accepted) before sending task reports', retryable: true };

/** A worker whose clock is further off than this is refused: due times and timeouts would drift. */
export const MAX_CLOCK_SKEW_MS = 5000;
