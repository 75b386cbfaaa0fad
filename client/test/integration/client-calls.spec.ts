// The client's calls against a real local HTTP server: what goes on the wire (path, query, body,
// token), how answers are read (JSON, 204, text, errors by code and field), what is sent again after
// a dropped connection and what is not, the timeout and the abort. No sockets or timers may be left.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@cronfleet/client';
import { assertNoHandlesLeft, json, LocalServer, refuse, rejection, until } from './local-server';
import { ROUTES } from './test-routes';

describe('client calls over HTTP', { timeout: 30_000 }, () => {
  let server: LocalServer;
  const client = (extra: { timeoutMs?: number; retry?: false | { retries: number; baseDelayMs: number; maxDelayMs: number } } = {}) =>
    createClient({ baseUrl: server.url, token: 'tok-1', routes: ROUTES, retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 50 }, ...extra });

  before(async () => {
    server = await LocalServer.start();
  });
  after(async () => {
    await server.close();
    await assertNoHandlesLeft();
  });

  it('fills and encodes path params, sends lists as comma lists, the JSON body and the bearer token', async () => {
    server.answer((req, res, seen) => json(res, req.method === 'POST' ? 202 : 200, req.url?.startsWith('/api/v1/workflows') ? { name: 'w' } : seen.method === 'POST' ? { taskId: 1 } : { items: [] }));
    const api = client();
    await api.cronjobs.timeline({ query: { ids: [4, 5, 6], limit: 3 } });
    await api.cronjobs.get({ params: { ref: 'nightly/backup ?' } });
    await api.tasks.create({ body: { runner: 'command', spec: { command: 'echo' }, delaySeconds: 60 } });
    const [timeline, workflow, create] = server.seen;
    assert.equal(timeline.url, '/api/v1/cronjobs/timeline?ids=4%2C5%2C6&limit=3');
    assert.equal(workflow.url, '/api/v1/workflows/nightly%2Fbackup%20%3F');
    assert.deepEqual([create.method, create.url, create.headers['content-type'], JSON.parse(create.body)], ['POST', '/api/v1/tasks', 'application/json', { runner: 'command', spec: { command: 'echo' }, delaySeconds: 60 }]);
    for (const r of server.seen) assert.equal(r.headers.authorization, 'Bearer tok-1');
    assert.equal(timeline.headers['content-type'], undefined);
  });

  it('accepts a base URL ending in /api/v1, reads the token from a function, and calls unprefixed routes at the root', async () => {
    server.answer((_req, res) => json(res, 200, { status: 'ok' }));
    let token: string | null = 'first';
    const api = createClient({ baseUrl: `${server.url}/api/v1/`, token: () => token, routes: ROUTES });
    assert.deepEqual(await api.probes.healthz(), { status: 'ok' });
    token = null;
    await api.probes.healthz();
    assert.equal(api.baseUrl, server.url);
    assert.deepEqual(server.seen.map((r) => [r.url, r.headers.authorization]), [['/healthz', 'Bearer first'], ['/healthz', undefined]]);
  });

  it('resolves a 204 to undefined and a text route to its text, an empty one to an empty string', async () => {
    let text = 'line 1\n{not json';
    server.answer((req, res) => (req.method === 'DELETE' ? void res.writeHead(204).end() : void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text)));
    const api = client();
    assert.equal(await api.tasks.cancel({ params: { id: 7 } }), undefined);
    assert.equal(await api.tasks.output({ params: { id: 7 } }), 'line 1\n{not json');
    text = '';
    assert.equal(await api.tasks.output({ params: { id: 8 } }), '');
    assert.deepEqual(server.seen.map((r) => [r.method, r.url, r.headers.accept]), [
      ['DELETE', '/api/v1/tasks/7', 'application/json'],
      ['GET', '/api/v1/tasks/7/output', 'text/plain'],
      ['GET', '/api/v1/tasks/8/output', 'text/plain'],
    ]);
  });

  it("turns the server's error body into status, code, message and field", async () => {
    server.answer((_req, res) => refuse(res, 400, 'ValidationFailed', 'spec.command: required; delaySeconds: must be at least 0'));
    const e = await rejection(client().tasks.create({ body: { runner: 'command', spec: {} } }));
    assert.deepEqual([e.name, e.status, e.code, e.field, e.retryable], ['CronfleetApiError', 400, 'ValidationFailed', 'spec.command', false]);
    assert.equal(e.message, 'spec.command: required; delaySeconds: must be at least 0');
  });

  it("names a proxy's answer without an error body by its status", async () => {
    server.answer((_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
    const e = await rejection(client().tasks.get({ params: { id: 1 } }));
    assert.deepEqual([e.status, e.code, e.retryable], [502, 'Http502', false]);
    assert.equal(server.seen.length, 1);
  });

  it('refuses a success answer that is not the JSON the route answers, as InvalidAnswer', async () => {
    server.answer((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const e = await rejection(client().tasks.get({ params: { id: 1 } }));
    assert.deepEqual([e.status, e.code], [200, 'InvalidAnswer']);
  });

  it('sends a GET again after a dropped connection', async () => {
    server.answer((req, res, _seen, n) => (n === 1 ? void req.socket.destroy() : json(res, 200, { id: 3, status: 'pending' })));
    assert.deepEqual(await client().tasks.get({ params: { id: 3 } }), { id: 3, status: 'pending' });
    assert.equal(server.seen.length, 2);
  });

  it('does not send a POST again after a dropped connection: it may have been applied', async () => {
    server.answer((req) => void req.socket.destroy());
    const e = await rejection(client().tasks.create({ body: { runner: 'command', spec: { command: 'echo' } } }));
    assert.deepEqual([e.code, e.status, e.retryable], ['ServerUnreachable', null, true]);
    assert.equal(server.seen.length, 1);
  });

  it('sends a POST with an idempotency key again after a dropped connection, and enqueue tells made from found', async () => {
    server.answer((req, res, _seen, n) => (n === 1 ? void req.socket.destroy() : json(res, n === 2 ? 202 : 200, { taskId: 41 })));
    const api = client();
    const task = { runner: 'http', spec: { url: 'http://shop/orders/42/expire' }, delaySeconds: 1800, idempotencyKey: 'order-42' };
    assert.deepEqual(await api.enqueue(task), { taskId: 41, created: true });
    assert.deepEqual(await api.enqueue(task), { taskId: 41, created: false });
    assert.equal(server.seen.length, 3);
    assert.deepEqual(JSON.parse(server.seen[1].body), task);
  });

  it('sends a batch with atomic only when asked', async () => {
    server.answer((_req, res) => json(res, 200, { items: [{ taskId: 1, created: true }, { error: { code: 'ValidationFailed', message: 'tasks.1.spec.command: required', field: 'tasks.1.spec.command' } }] }));
    const api = client();
    const tasks = [{ runner: 'command', spec: { command: 'echo' } }, { runner: 'command', spec: {} }];
    const { items } = await api.enqueueBatch(tasks);
    await api.enqueueBatch(tasks, { atomic: true });
    assert.equal(items.length, 2);
    assert.deepEqual(server.seen.map((r) => [r.url, JSON.parse(r.body)]), [['/api/v1/tasks/batch', { tasks }], ['/api/v1/tasks/batch', { tasks, atomic: true }]]);
  });

  it('reports a refused connection as ServerUnreachable', async () => {
    const closed = await LocalServer.start();
    const url = closed.url;
    await closed.close();
    const e = await rejection(createClient({ baseUrl: url, routes: ROUTES, retry: false }).tasks.get({ params: { id: 1 } }));
    assert.deepEqual([e.code, e.status], ['ServerUnreachable', null]);
    assert.match(e.message, /ECONNREFUSED/);
  });

  it('gives up with Timeout after timeoutMs, and closes the connection', async () => {
    server.answer(() => undefined);
    const started = Date.now();
    const e = await rejection(client({ timeoutMs: 150, retry: false }).tasks.get({ params: { id: 1 } }));
    const took = Date.now() - started;
    assert.deepEqual([e.code, e.retryable], ['Timeout', true]);
    assert.ok(took >= 140 && took < 1000, `took ${took} ms`);
    await until(() => server.closed.has(1), 'the server to see the connection close');
  });

  it('ends a call with Aborted when its signal aborts, also during the wait between tries', async () => {
    server.answer(() => undefined);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const first = await rejection(client().tasks.get({ params: { id: 1 } }, { signal: ctl.signal }));
    assert.deepEqual([first.code, first.retryable], ['Aborted', false]);

    server.answer((_req, res) => refuse(res, 503, 'DatabaseBusy', 'busy', { 'retry-after': '5' }));
    const waiting = new AbortController();
    const started = Date.now();
    const call = client({ retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 10_000 } }).tasks.get({ params: { id: 1 } }, { signal: waiting.signal });
    await until(() => server.seen.length === 1, 'the first try');
    waiting.abort();
    const second = await rejection(call);
    assert.equal(second.code, 'Aborted');
    assert.ok(Date.now() - started < 2000, 'the 5 s Retry-After wait was not cut short');
  });
});
