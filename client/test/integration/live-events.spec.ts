// The live event stream and a task's followed output against a real local HTTP server writing
// Server-Sent Events by hand as apiserver/src/live/live-sse.ts does: typed events from pieces of any
// size, the filters as the query, reconnecting with Last-Event-ID after a drop, the server's error
// events, a clean end on abort or on leaving the loop, and no socket or timer left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type LiveEventMessage, type ReconnectInfo } from '@cronfleet/client';
import { assertNoHandlesLeft, LocalServer, openStream, refuse, rejection, until } from './local-server';

describe('live events over Server-Sent Events', { timeout: 30_000 }, () => {
  let server: LocalServer;
  const client = () => createClient({ baseUrl: server.url, token: 'tok-2', retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 50 } });

  before(async () => {
    server = await LocalServer.start();
  });
  after(async () => {
    await server.close();
    await assertNoHandlesLeft();
  });

  it('yields typed events whose text comes in pieces, data of several lines joined, and sends the filters and token', async () => {
    server.answer(async (_req, res) => {
      openStream(res);
      const text = 'event: task.started\r\ndata: {"taskId":1,"cronjobId":null,\r\ndata: "namespace":"default","workerId":2,"atMs":5}\r\n\r\n' + 'event: task.finished\ndata: {"taskId":1,"cronjobId":null,"namespace":"default","status":"success","atMs":9}\n\n';
      for (let i = 0; i < text.length; i += 7) {
        res.write(text.slice(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
    });
    const ctl = new AbortController();
    const got: LiveEventMessage[] = [];
    for await (const e of client().events({ signal: ctl.signal, namespace: 'default', taskId: 1, type: ['task.', 'worker.online'] })) {
      got.push(e);
      if (e.event === 'task.finished') {
        assert.equal(e.data.status, 'success');
        break;
      }
    }
    assert.deepEqual(got, [
      { id: '', event: 'task.started', data: { taskId: 1, cronjobId: null, namespace: 'default', workerId: 2, atMs: 5 } },
      { id: '', event: 'task.finished', data: { taskId: 1, cronjobId: null, namespace: 'default', status: 'success', atMs: 9 } },
    ]);
    const [seen] = server.seen;
    assert.equal(seen.url, '/api/v1/sse/events?namespace=default&taskId=1&type=task.%2Cworker.online');
    assert.deepEqual([seen.headers.authorization, seen.headers.accept, seen.headers['last-event-id']], ['Bearer tok-2', 'text/event-stream', undefined]);
    await until(() => server.closed.has(1), 'leaving the loop to close the connection');
  });

  it('reconnects after the server drops the stream, sending the Last-Event-ID it had', async () => {
    server.answer((req, res, _seen, n) => {
      openStream(res);
      if (n === 1) {
        res.write('id: 41\nevent: worker.offline\ndata: {"workerId":3}\n\n');
        setTimeout(() => req.socket.destroy(), 20);
      } else res.write(`id: 42\nevent: worker.online\ndata: {"workerId":3,"name":"w3","namespace":null}\n\n`);
    });
    const reconnects: ReconnectInfo[] = [];
    let opened = 0;
    const got: string[] = [];
    for await (const e of client().events({ onReconnect: (info) => reconnects.push(info), onOpen: () => opened++ })) {
      got.push(`${e.id} ${e.event}`);
      if (got.length === 2) break;
    }
    assert.deepEqual(got, ['41 worker.offline', '42 worker.online']);
    assert.deepEqual(server.seen.map((r) => r.headers['last-event-id']), [undefined, '41']);
    assert.deepEqual([reconnects.length, reconnects[0].attempt, reconnects[0].error.code, opened], [1, 1, 'ServerUnreachable', 2]);
    assert.ok(reconnects[0].delayMs <= 10, 'the first wait is within baseDelayMs');
  });

  it('starts from a given lastEventId, and waits the Retry-After of a 503 before connecting again', async () => {
    server.answer((_req, res, _seen, n) => {
      if (n === 1) return refuse(res, 503, 'Overloaded', 'try later', { 'retry-after': '1' });
      openStream(res);
      res.write('event: scheduler.leader\ndata: {"instanceId":"a","leader":true,"atMs":1}\n\n');
    });
    const started = Date.now();
    for await (const e of client().events({ lastEventId: '7' })) {
      assert.equal(e.event, 'scheduler.leader');
      break;
    }
    assert.ok(Date.now() - started >= 950, 'the Retry-After of 1 s was waited for');
    assert.deepEqual(server.seen.map((r) => r.headers['last-event-id']), ['7', '7']);
  });

  it('reconnects after a SlowClient error event, and ends with the error of a revoked token', async () => {
    server.answer((_req, res, _seen, n) => {
      openStream(res);
      if (n === 1) res.end('event: error\ndata: {"code":"SlowClient","message":"did not keep up"}\n\n');
      else res.end('event: cronjob.deleted\ndata: {"cronjobId":4,"namespace":"default"}\n\nevent: error\ndata: {"code":"TokenRevoked","message":"token \'ci\' was revoked"}\n\n');
    });
    const got: string[] = [];
    const e = await rejection((async () => {
      for await (const m of client().events()) got.push(m.event);
    })());
    assert.deepEqual([e.code, e.message, e.retryable, got, server.seen.length], ['TokenRevoked', "token 'ci' was revoked", false, ['cronjob.deleted'], 2]);
  });

  it('ends with the refusal of a 401 at once, and skips event types it does not know', async () => {
    server.answer((_req, res) => refuse(res, 401, 'Unauthorized', 'unknown token'));
    const e = await rejection((async () => {
      for await (const _ of client().events()) assert.fail('no event expected');
    })());
    assert.deepEqual([e.status, e.code, server.seen.length], [401, 'Unauthorized', 1]);

    server.answer((_req, res) => {
      openStream(res);
      res.write('event: task.teleported\ndata: {}\n\nevent: worker.drained\ndata: {"workerId":1,"drained":true}\n\n');
    });
    for await (const m of client().events()) {
      assert.deepEqual(m, { id: '', event: 'worker.drained', data: { workerId: 1, drained: true } });
      break;
    }
  });

  it('counts a silent stream as dropped after idleTimeoutMs and connects again', async () => {
    server.answer((_req, res, _seen, n) => {
      openStream(res);
      if (n === 2) res.write('event: worker.offline\ndata: {"workerId":9}\n\n');
    });
    const reasons: string[] = [];
    for await (const m of client().events({ idleTimeoutMs: 100, onReconnect: (i) => reasons.push(i.error.code) })) {
      assert.equal(m.event, 'worker.offline');
      break;
    }
    assert.deepEqual(reasons, ['Timeout']);
    await until(() => server.closed.has(1), 'the silent connection to be closed');
  });

  it('ends cleanly on abort, mid-stream and while waiting to reconnect, closing the connection', async () => {
    server.answer((_req, res) => {
      openStream(res);
      res.write('event: worker.offline\ndata: {"workerId":1}\n\n');
    });
    const ctl = new AbortController();
    let count = 0;
    for await (const _ of client().events({ signal: ctl.signal })) {
      count++;
      setTimeout(() => ctl.abort(), 20);
    }
    assert.equal(count, 1);
    await until(() => server.closed.has(1), 'the aborted stream to be closed');

    server.answer((req) => void req.socket.destroy());
    const waiting = new AbortController();
    const api = createClient({ baseUrl: server.url, retry: { retries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const started = Date.now();
    const done = (async () => {
      for await (const _ of api.events({ signal: waiting.signal, onReconnect: () => setTimeout(() => waiting.abort(), 20) })) assert.fail('no event expected');
    })();
    await done;
    assert.ok(Date.now() - started < 2000, 'the reconnect wait was cut short by the abort');
  });

  it("follows a task's output until its end event, and fails at once for a task that is not there", async () => {
    server.answer((req, res) => {
      if (req.url?.startsWith('/api/v1/tasks/404/')) return refuse(res, 404, 'TaskNotFound', 'task 404 not found');
      openStream(res);
      res.write('event: output\ndata: {"seq":0,"data":"hello\\n"}\n\nevent: output\ndata: {"seq":1,"data":"world\\n"}\n\n');
      setTimeout(() => res.end('event: end\ndata: {"status":"success"}\n\n'), 20);
    });
    const api = client();
    const events = [];
    for await (const e of api.followOutput(12)) events.push(e);
    assert.deepEqual(events, [
      { event: 'output', data: { seq: 0, data: 'hello\n' } },
      { event: 'output', data: { seq: 1, data: 'world\n' } },
      { event: 'end', data: { status: 'success' } },
    ]);
    assert.equal(server.seen[0].url, '/api/v1/tasks/12/output?follow=true');
    const e = await rejection((async () => {
      for await (const _ of api.followOutput(404)) assert.fail('no event expected');
    })());
    assert.deepEqual([e.status, e.code], [404, 'TaskNotFound']);
  });

  it('fails a followed output that breaks off before its end, as ServerUnreachable', async () => {
    server.answer((req, res) => {
      openStream(res);
      res.write('event: output\ndata: {"seq":0,"data":"partial"}\n\n');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const got: string[] = [];
    const e = await rejection((async () => {
      for await (const m of client().followOutput(5)) if (m.event === 'output') got.push(m.data.data);
    })());
    assert.deepEqual([e.code, e.retryable, got, server.seen.length], ['ServerUnreachable', true, ['partial'], 1]);
  });
});
