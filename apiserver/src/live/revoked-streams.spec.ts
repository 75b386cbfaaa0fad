// A token revoked between the check of a stream's request and the stream's registration
// (TokenSessions.hold) still ends the stream, on each path that holds one: `GET /sse/events`,
// `GET /tasks/:id/output?follow=true` and the `/events` socket. The revocation is made to land
// exactly there, from a hook, not by timing: the controllers and the gateway are the real ones;
// what they call before holding the stream (the token check, the task lookup) and the task output
// follower are plain stand-ins, since the point is the order of check, revocation and hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Namespace, Socket } from 'socket.io';
import type { ApiTokensService, AuthOutcome } from '../auth/api-tokens.service';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import type { HttpRequest } from '../auth/http-request';
import type { Actor } from '@cronfleet/shared';
import { type StreamEnd, TokenSessions } from '../auth/token-sessions';
import type { LeaderLease } from '../cluster/lease/leader-lease';
import { TasksController } from '../tasks/tasks.controller';
import type { TaskOutputService } from '../tasks/task-output.service';
import type { TasksService } from '../tasks/tasks.service';
import { LocalClusterEvents } from '../cluster/cluster-events';
import { LiveController } from './live.controller';
import { LiveGateway } from './live.gateway';
import { LiveFeed } from './live-feed';

const ACTOR: Actor = { tokenId: 7, name: 'ci', role: 'viewer', namespace: null, expiresAtMs: null };
const REVOKED: StreamEnd = { code: 'TokenRevoked', message: "token 'ci' was revoked" };

/** An HTTP response as the SSE code uses it, recording what was written. */
class FakeStream extends EventEmitter {
  text = '';
  writableEnded = false;
  readonly writableLength = 0;
  setHeader(): void {}
  flushHeaders(): void {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  end(): void {
    this.writableEnded = true;
    this.emit('close');
  }
}

/** Fastify's reply as a stream takes it over. */
const reply = (raw: FakeStream) => ({ raw, hijack: () => undefined });

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = (): HttpRequest => ({ method: 'GET', originalUrl: '/', headers: {}, actor: ACTOR });

function setup() {
  const cluster = new LocalClusterEvents();
  const sessions = new TokenSessions(cluster);
  // Only subscribe is used here; the leader lease matters to onModuleInit, which is not called.
  const live = new LiveFeed(cluster, null as unknown as LeaderLease, 'i1');
  return { sessions, live, revoke: () => sessions.revoked(ACTOR.tokenId!, ACTOR.name) };
}

describe('a token revoked between the check and the hold of its stream', () => {
  it('ends a GET /sse/events stream with TokenRevoked', async () => {
    const { sessions, live, revoke } = setup();
    const req = request(); // the guard has checked the token
    await revoke();
    const res = new FakeStream();
    try {
      new LiveController(live, sessions).events({}, req, reply(res));
      await tick();
      assert.match(res.text, /event: error\ndata: \{"code":"TokenRevoked"/);
      assert.equal(res.writableEnded, true);
      assert.equal(sessions.size, 0);
    } finally {
      // The client goes away in any case: the stream's ping timer must not outlive the test.
      res.emit('close');
      sessions.onModuleDestroy();
    }
  });

  it('ends a GET /tasks/:id/output?follow=true stream with TokenRevoked', async () => {
    const { sessions, revoke } = setup();
    const ended: StreamEnd[] = [];
    // The task lookup before the stream opens is where the revocation lands: a database read's time.
    const tasks = { get: async () => revoke() } as unknown as TasksService;
    const outputs = { follow: () => (end: StreamEnd) => ended.push(end) } as unknown as TaskOutputService;
    const res = Object.assign(reply(new FakeStream()), { type: () => assert.fail('a follow streams') });
    await new TasksController(tasks, outputs, sessions).output(1, { follow: true }, request(), res);
    await tick();
    assert.deepEqual(ended, [REVOKED]);
    assert.equal(sessions.size, 0);
    sessions.onModuleDestroy();
  });

  it('drops an /events socket with TokenRevoked', async () => {
    const { sessions, live, revoke } = setup();
    // The handshake's token check answers live, and the revocation lands right after it.
    const tokens = {
      authenticate: async (): Promise<AuthOutcome> => {
        const outcome: AuthOutcome = { ok: true, actor: ACTOR };
        await revoke();
        return outcome;
      },
    } as unknown as ApiTokensService;
    const gateway = new LiveGateway(live, tokens, new AuthFailureLimiter(), sessions);
    let middleware: ((socket: Socket, next: (e?: Error) => void) => void) | undefined;
    gateway.afterInit({ use: (fn: typeof middleware) => (middleware = fn) } as unknown as Namespace);
    const emitted: [string, unknown][] = [];
    let disconnected = false;
    const socket = {
      id: 's1',
      handshake: { address: '127.0.0.1', auth: { token: 'cft_x' } },
      data: {} as Record<string, unknown>,
      connected: true,
      on: () => undefined,
      emit: (event: string, data: unknown) => emitted.push([event, data]),
      disconnect: () => (disconnected = true),
    } as unknown as Socket;
    const refused = await new Promise<Error | undefined>((resolve) => middleware!(socket, resolve));
    assert.equal(refused, undefined, 'the check let it in');
    gateway.handleConnection(socket);
    await tick();
    assert.deepEqual(emitted, [['dropped', REVOKED]]);
    assert.equal(disconnected, true);
    assert.equal(sessions.size, 0);
    sessions.onModuleDestroy();
  });
});
