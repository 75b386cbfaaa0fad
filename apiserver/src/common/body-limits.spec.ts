import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { limitRequestBodies, refuseBody } from './body-limits';

describe('refuseBody', () => {
  it('refuses a body longer than the limit by its Content-Length, before reading it', () => {
    const r = refuseBody('POST', { 'content-length': '10485760', 'content-type': 'application/json' }, 1024);
    assert.equal(r?.status, 413);
    assert.match(r!.message, /^body: 10485760 bytes is more than the limit of 1024 bytes \(CRONFLEET_MAX_BODY_BYTES\)$/);
  });

  it('refuses a body that is not JSON, naming the type it got', () => {
    assert.equal(refuseBody('POST', { 'content-length': '5', 'content-type': 'text/plain' }, 1024)?.status, 415);
    assert.match(refuseBody('POST', { 'transfer-encoding': 'chunked' }, 1024)!.message, /without a Content-Type/);
    assert.equal(refuseBody('POST', { 'content-length': '5', 'content-type': 'application/jsonx' }, 1024)?.status, 415);
  });

  it('refuses a body sent with a GET or HEAD, which take none', () => {
    const r = refuseBody('GET', { 'content-length': '2', 'content-type': 'application/json' }, 1024);
    assert.equal(r?.status, 400);
    assert.match(r!.message, /^body: a GET request takes no body/);
    assert.equal(refuseBody('HEAD', { 'transfer-encoding': 'chunked' }, 1024)?.status, 400);
    assert.equal(refuseBody('GET', { 'content-length': '0', 'content-type': 'application/json' }, 1024), null);
    assert.equal(refuseBody('DELETE', { 'content-length': '2', 'content-type': 'application/json' }, 1024), null);
  });

  it('refuses JSON in another charset than UTF-8', () => {
    const r = refuseBody('POST', { 'content-length': '2', 'content-type': 'application/json; charset=latin1' }, 1024);
    assert.equal(r?.status, 415);
    assert.match(r!.message, /^body: must be JSON in UTF-8, not charset=latin1$/);
    assert.equal(refuseBody('POST', { 'content-length': '2', 'content-type': 'application/json; charset="UTF-8"' }, 1024), null);
    assert.equal(refuseBody('POST', { 'content-length': '2', 'content-type': 'application/json;charset=utf8' }, 1024), null);
  });

  it('lets JSON within the limit and requests without a body through', () => {
    assert.equal(refuseBody('POST', { 'content-length': '2', 'content-type': 'application/json; charset=utf-8' }, 1024), null);
    assert.equal(refuseBody('POST', { 'transfer-encoding': 'chunked', 'content-type': 'application/json' }, 1024), null);
    assert.equal(refuseBody('POST', { 'content-type': 'text/plain' }, 1024), null);
    assert.equal(refuseBody('POST', { 'content-length': '0' }, 1024), null);
  });
});

describe('the JSON body parser', () => {
  async function post(payload: string): Promise<{ status: number; body: { code?: string; message?: string; got?: unknown } }> {
    const app = Fastify();
    limitRequestBodies(app, 1024);
    app.post('/x', async (req) => ({ got: req.body ?? 'none' }));
    app.setErrorHandler((e: Error & { code?: string; statusCode?: number }, _req, reply) => reply.code(e.statusCode ?? 500).send({ code: e.code, message: e.message }));
    const res = await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'application/json' }, payload });
    await app.close();
    return { status: res.statusCode, body: res.json() };
  }

  it('takes an object or an array, and an empty body as none', async () => {
    assert.deepEqual((await post('{"a":1}')).body, { got: { a: 1 } });
    assert.deepEqual((await post('[1]')).body, { got: [1] });
    assert.deepEqual((await post('')).body, { got: 'none' });
  });

  it('refuses a bare null, number, string or boolean with a 400 naming the body', async () => {
    for (const [payload, what] of [['null', 'null'], ['42', 'number'], ['"a string"', 'string'], ['true', 'boolean']]) {
      const r = await post(payload);
      assert.equal(r.status, 400, payload);
      assert.deepEqual(r.body, { code: 'ValidationFailed', message: `body: must be a JSON object, not ${what}` });
    }
  });
});
