// Retries against a real local HTTP server: 429 and 503 are tried again (the server did not do the
// request), after the Retry-After the server gave (measured) or a capped backoff; other refusals are
// not; a Retry-After longer than the policy allows is handed to the caller instead of waited for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@cronfleet/client';
import type { ServerResponse } from 'node:http';
import { assertNoHandlesLeft, json, LocalServer, refuse, rejection } from './local-server';
import { ROUTES } from './test-routes';

describe('client retries', { timeout: 30_000 }, () => {
  let server: LocalServer;
  const client = (retry = { retries: 3, baseDelayMs: 20, maxDelayMs: 3000 }) => createClient({ baseUrl: server.url, token: 't', routes: ROUTES, retry });
  /** When each request came, in ms after the first. */
  const gaps = (): number[] => server.seen.map((_, i) => times[i] - times[0]);
  let times: number[] = [];

  before(async () => {
    server = await LocalServer.start();
  });
  after(async () => {
    await server.close();
    await assertNoHandlesLeft();
  });

  /** Answers the first `refusals` requests with `refuse`, then 202 `{ taskId: 9 }`, noting when each came. */
  function refuseThenAccept(refusals: number, refusal: (res: ServerResponse) => void): void {
    times = [];
    server.answer((_req, res, _seen, n) => {
      times.push(Date.now());
      if (n <= refusals) refusal(res);
      else json(res, 202, { taskId: 9 });
    });
  }

  it('retries a 429 after its Retry-After in seconds, a POST too (the server did not do it)', async () => {
    refuseThenAccept(1, (res) => refuse(res, 429, 'TooManyAuthFailures', 'too many failed token checks', { 'retry-after': '1' }));
    assert.deepEqual(await client().tasks.create({ body: { runner: 'command', spec: { command: 'echo' } } }), { taskId: 9 });
    const [, second] = gaps();
    assert.equal(server.seen.length, 2);
    assert.ok(second >= 950 && second < 1600, `second try after ${second} ms, Retry-After was 1 s`);
  });

  it('retries a 503 after its Retry-After as an HTTP date', async () => {
    // An HTTP date has whole seconds: 2 s from now, truncated, is 1 to 2 s away.
    const at = new Date(Date.now() + 2000).toUTCString();
    refuseThenAccept(1, (res) => refuse(res, 503, 'DatabaseBusy', 'the database was busy', { 'retry-after': at }));
    await client().tasks.get({ params: { id: 9 } });
    const [, second] = gaps();
    assert.ok(second >= 900 && second < 2600, `second try after ${second} ms, Retry-After was ${at}`);
  });

  it('backs off on a 503 without Retry-After, within the cap, until it succeeds', async () => {
    refuseThenAccept(3, (res) => refuse(res, 503, 'DatabaseBusy', 'busy'));
    const started = Date.now();
    await client({ retries: 3, baseDelayMs: 20, maxDelayMs: 40 }).tasks.get({ params: { id: 9 } });
    assert.equal(server.seen.length, 4);
    // Full jitter: each wait is below min(40, 20 * 2^attempt): 20 + 40 + 40 ms at most, plus the requests.
    assert.ok(Date.now() - started < 600, `took ${Date.now() - started} ms`);
  });

  it('fails with the last 503 once the retries are used up', async () => {
    refuseThenAccept(10, (res) => refuse(res, 503, 'DatabaseBusy', 'the database was busy with a conflicting change; try again'));
    const e = await rejection(client({ retries: 2, baseDelayMs: 5, maxDelayMs: 10 }).tasks.get({ params: { id: 9 } }));
    assert.deepEqual([e.status, e.code, e.retryable, server.seen.length], [503, 'DatabaseBusy', true, 3]);
  });

  it('does not retry a 400 or a 404', async () => {
    for (const [status, code] of [[400, 'ValidationFailed'], [404, 'TaskNotFound']] as const) {
      refuseThenAccept(10, (res) => refuse(res, status, code, 'no'));
      const e = await rejection(client().tasks.get({ params: { id: 9 } }));
      assert.deepEqual([e.status, e.code, e.retryable, server.seen.length], [status, code, false, 1]);
    }
  });

  it('does not wait for a Retry-After longer than maxDelayMs: fails at once, giving it', async () => {
    refuseThenAccept(10, (res) => refuse(res, 429, 'TooManyAuthFailures', 'blocked', { 'retry-after': '60' }));
    const started = Date.now();
    const e = await rejection(client().tasks.get({ params: { id: 9 } }));
    assert.deepEqual([e.code, e.retryAfterMs, server.seen.length], ['TooManyAuthFailures', 60_000, 1]);
    assert.ok(Date.now() - started < 500);
  });

  it('tries once with retry: false', async () => {
    refuseThenAccept(10, (res) => refuse(res, 503, 'DatabaseBusy', 'busy'));
    const api = createClient({ baseUrl: server.url, routes: ROUTES, retry: false });
    assert.equal((await rejection(api.tasks.get({ params: { id: 9 } }))).code, 'DatabaseBusy');
    assert.equal(server.seen.length, 1);
  });
});
