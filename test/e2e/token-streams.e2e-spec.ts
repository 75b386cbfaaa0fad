// A token's open streams end with the token (issue 17): revoked on one server, its SSE streams
// (`/sse/events`, `output?follow=true`) and `/events` socket on another end with `TokenRevoked`;
// a token that expires while a stream is open ends it with `TokenExpired`. Two servers on MySQL and
// Redis, real sockets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { SseParser } from '../../client/src/sse-parser';
import { assertNoLeakedProcesses, randomId, startServer, type TestServer, waitFor } from './helpers';

/** An SSE stream read to its end: the events it got, and whether the server ended it. */
class Stream {
  readonly events: { event: string; data: string }[] = [];
  ended = false;
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  static async open(server: TestServer, path: string, token: string): Promise<Stream> {
    const s = new Stream();
    const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` }, signal: s.abort.signal });
    assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve('') : res.text()));
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    s.reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        s.events.push(...parser.push(decoder.decode(value, { stream: true })));
      }
      s.ended = true;
    })().catch(() => undefined);
    return s;
  }

  errorCode(): string | undefined {
    const e = this.events.find((x) => x.event === 'error');
    return e ? (JSON.parse(e.data) as { code: string }).code : undefined;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}

describe('streams end with their token (two servers, MySQL + Redis)', { timeout: 120_000 }, () => {
  let a: TestServer;
  let b: TestServer;
  const open: { close(): unknown }[] = [];
  const logs = (): string => [a?.process.report(), b?.process.report()].filter(Boolean).join('\n');
  const token = (name: string, extra: Record<string, unknown> = {}) =>
    a.api.call<{ id: number; token: string }>('POST', '/tokens', [201], { name: `${name}-${randomId(3)}`, role: 'viewer', ...extra });
  const socket = async (server: TestServer, t: string): Promise<{ s: Socket; dropped: { code?: string }[]; disconnected: () => boolean }> => {
    const s = io(`${server.url}/events`, { auth: { token: t }, transports: ['websocket'], reconnection: false, forceNew: true });
    open.push(s);
    const dropped: { code?: string }[] = [];
    let gone = false;
    s.on('dropped', (d: { code?: string }) => dropped.push(d));
    s.on('disconnect', () => (gone = true));
    const ack = await s.timeout(10_000).emitWithAck('subscribe', {});
    assert.deepEqual(ack, { ok: true });
    return { s, dropped, disconnected: () => gone };
  };

  before(async () => {
    a = await startServer({ backend: 'mysql' });
    b = await startServer({ backend: 'mysql', sharedWith: a });
  });
  after(async () => {
    for (const o of open) await o.close();
    await b?.stop();
    await a?.stop();
    assertNoLeakedProcesses();
  });

  it('ends the SSE streams and the /events socket a token holds on another server when it is revoked there', async () => {
    const { id, token: t } = await token('watcher');
    // A one-shot task due in a year: its output stream stays open until something ends it.
    const { taskId } = await a.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'command', spec: { command: 'true' }, delaySeconds: 365 * 86_400 });
    const live = await Stream.open(b, '/sse/events', t);
    const output = await Stream.open(b, `/tasks/${taskId}/output?follow=true`, t);
    const sock = await socket(b, t);
    const bystander = await Stream.open(b, '/sse/events', b.adminToken);
    open.push(live, output, bystander);

    await a.api.call('DELETE', `/tokens/${id}`, [204]);

    await waitFor(() => live.ended && output.ended && sock.disconnected(), { timeoutMs: 10_000, what: 'the three streams of the revoked token to end', details: logs });
    assert.equal(live.errorCode(), 'TokenRevoked');
    assert.equal(output.errorCode(), 'TokenRevoked');
    assert.deepEqual(sock.dropped.map((d) => d.code), ['TokenRevoked']);
    // Another token's stream on the same server goes on.
    assert.equal(bystander.ended, false);
  });

  it('ends the streams of a token when it expires while they are open', async () => {
    const { token: t } = await token('short', { expiresInSeconds: 3 });
    const live = await Stream.open(b, '/sse/events', t);
    const sock = await socket(b, t);
    open.push(live);
    await waitFor(() => live.ended && sock.disconnected(), { timeoutMs: 15_000, what: 'the streams of the expired token to end', details: logs });
    assert.equal(live.errorCode(), 'TokenExpired');
    assert.deepEqual(sock.dropped.map((d) => d.code), ['TokenExpired']);
  });
});
