import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { describeIssues, LiveFilter, LiveFilterSchema } from '@cronfleet/shared';
import type { Namespace, Socket } from 'socket.io';
import { ApiTokensService } from '../auth/api-tokens.service';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { TokenSessions } from '../auth/token-sessions';
import { SOCKET_SERVER_OPTIONS } from '../common/socket-server-options';
import { backlogVerdict, type EngineConn, queuedPackets, SOCKET_MAX_QUEUED_PACKETS } from './backlog';
import { matchesFilter } from './live-event';
import { LiveFeed } from './live-feed';
import type { Actor } from '@cronfleet/shared';
import { listNamespace } from '../auth/namespace-scope';

/** The dashboard's namespace. */
export const EVENTS_NAMESPACE = '/events';

type Ack = (answer: { ok: true } | { ok: false; error: { code: string; message: string; retryable: false } }) => void;

/**
 * The socket.io edge of the live event bus (namespace `/events`): the handshake must carry an API
 * token of any role, or the admin token (`auth: { token }`); the client sends `subscribe` with the filters of
 * `GET /sse/events` (acked `{ ok }` or `{ ok: false, error }`; a new subscribe replaces the last)
 * and then receives `event` messages `{ type, data }`. A client that lets more than
 * SOCKET_MAX_QUEUED_PACKETS pile up is sent `dropped` `{ code, message }` and disconnected; so is one
 * whose token is revoked or expires (`TokenRevoked`, `TokenExpired`).
 */
@WebSocketGateway({ namespace: EVENTS_NAMESPACE, ...SOCKET_SERVER_OPTIONS })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('live');
  private readonly subscriptions = new Map<string, () => void>();
  /** Each socket's hold on its token (TokenSessions): revoked or expired, the socket is cut. */
  private readonly holds = new Map<string, () => void>();

  constructor(
    private readonly live: LiveFeed,
    private readonly tokens: ApiTokensService,
    private readonly limiter: AuthFailureLimiter,
    private readonly sessions: TokenSessions,
  ) {}

  afterInit(ns: Namespace): void {
    ns.use((socket, next) => {
      const address = socket.handshake.address;
      const blockedMs = this.limiter.blockedForMs(address, Date.now());
      if (blockedMs > 0) return next(new Error(`TooManyAuthFailures: ${AuthFailureLimiter.refusal(blockedMs).message}`));
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string') return next(new Error('InvalidToken: connect with an API token (or the admin token) in the handshake (auth: { token })'));
      this.tokens.authenticate(token).then(
        (outcome) => {
          if (outcome.ok) {
            socket.data.actor = outcome.actor;
            return next();
          }
          this.limiter.fail(address, Date.now());
          next(new Error(`InvalidToken: ${outcome.reason}`));
        },
        (e: unknown) => next(new Error(`InternalError: ${(e as Error).message}`)),
      );
    });
  }

  handleConnection(socket: Socket): void {
    this.holds.set(
      socket.id,
      this.sessions.hold(socket.data.actor as Actor | undefined, (end) => {
        this.handleDisconnect(socket);
        socket.emit('dropped', end);
        socket.disconnect(true);
      }),
    );
    socket.on('subscribe', (raw: unknown, ack?: Ack) => {
      const answer: Ack = typeof ack === 'function' ? ack : () => undefined;
      const r = LiveFilterSchema.safeParse(raw ?? {});
      if (!r.success) return answer({ ok: false, error: { code: 'ValidationFailed', message: describeIssues(r.error, 'filter'), retryable: false } });
      let filter: LiveFilter;
      try {
        // A scoped token gets its namespace's events only, whatever it asks for.
        filter = { ...r.data, namespace: listNamespace(socket.data.actor as Actor | undefined, r.data.namespace) };
      } catch (e) {
        return answer({ ok: false, error: { code: 'OutsideNamespace', message: (e as Error).message, retryable: false } });
      }
      this.subscriptions.get(socket.id)?.();
      this.subscriptions.set(socket.id, this.live.subscribe((e) => this.deliver(socket, filter, e)));
      answer({ ok: true });
    });
  }

  handleDisconnect(socket: Socket): void {
    this.holds.get(socket.id)?.();
    this.holds.delete(socket.id);
    this.subscriptions.get(socket.id)?.();
    this.subscriptions.delete(socket.id);
  }

  private deliver(socket: Socket, filter: LiveFilter, e: Parameters<typeof matchesFilter>[0]): void {
    if (!socket.connected || !matchesFilter(e, filter)) return;
    socket.emit('event', { type: e.type, data: e.data });
    const slow = backlogVerdict(queuedPackets(socket.conn as unknown as EngineConn), SOCKET_MAX_QUEUED_PACKETS, 'messages');
    if (!slow) return;
    this.logger.warn(`dropped an /events client from ${socket.handshake.address}: ${slow}`);
    this.handleDisconnect(socket);
    socket.emit('dropped', { code: 'SlowClient', message: slow });
    socket.disconnect(true);
  }
}
