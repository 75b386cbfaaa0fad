import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronfleetApiError, errorFromAnswer, errorWithoutAnswer, fieldOf, isCronfleetApiError } from './cronfleet-api-error';

describe('fieldOf', () => {
  it('reads the field the server message names first', () => {
    assert.equal(fieldOf('spec.command: required'), 'spec.command');
    assert.equal(fieldOf('tasks.1.delaySeconds: must be at least 0; tasks.2.runner: unknown'), 'tasks.1.delaySeconds');
    assert.equal(fieldOf("name: 'nightly' is taken in namespace 'default'"), 'name');
  });

  it('drops a leading body., query. or params. and names no field for the whole request', () => {
    assert.equal(fieldOf('body.schedule: minute 61 is out of range 0-59'), 'schedule');
    assert.equal(fieldOf('query.limit: must be at most 500'), 'limit');
    assert.equal(fieldOf('body: not valid JSON (Unexpected token)'), null);
    assert.equal(fieldOf('request: bad header'), null);
  });

  it('names no field for a message that does not start with one', () => {
    assert.equal(fieldOf('task 7 not found'), null);
    assert.equal(fieldOf("schedule '61 * * * *': minute 61 is out of range 0-59"), null);
    assert.equal(fieldOf(''), null);
  });
});

describe('errorFromAnswer', () => {
  it('takes code and message from the error body, the field from the message', () => {
    const body = { statusCode: 400, error: 'Bad Request', code: 'ValidationFailed', message: 'spec.command: required' };
    const e = errorFromAnswer(400, 'application/json', JSON.stringify(body));
    assert.deepEqual(e.toJSON(), { status: 400, code: 'ValidationFailed', message: 'spec.command: required', field: 'spec.command', retryable: false, retryAfterMs: null });
    assert.equal(e.name, 'CronfleetApiError');
  });

  it('joins a message list and marks 429 and 503 retryable, with their Retry-After', () => {
    const e = errorFromAnswer(503, 'application/json', JSON.stringify({ statusCode: 503, code: 'DatabaseBusy', message: ['a', 'b'] }), 2000);
    assert.deepEqual([e.code, e.message, e.retryable, e.retryAfterMs], ['DatabaseBusy', 'a; b', true, 2000]);
    assert.equal(errorFromAnswer(429, null, '{"statusCode":429,"code":"TooManyAuthFailures","message":"x"}').retryable, true);
  });

  it('names an answer that is not a Cronfleet error body by its status', () => {
    const e = errorFromAnswer(502, 'text/html; charset=utf-8', '<html>Bad gateway</html>');
    assert.deepEqual([e.status, e.code, e.field, e.retryable, e.body], [502, 'Http502', null, false, null]);
    assert.match(e.message, /HTTP 502 \(text\/html\)/);
    assert.deepEqual(e.foreignAnswer, { contentType: 'text/html' }, 'says so as data, not only in words');
    assert.deepEqual(errorFromAnswer(404, null, '').foreignAnswer, { contentType: null });
    const own = errorFromAnswer(404, 'application/json', JSON.stringify({ statusCode: 404, code: 'TaskNotFound', message: 'task 9 not found' }));
    assert.equal(own.foreignAnswer, null, "the server's own error");
  });

  it("keeps the answer's JSON as body, also the data a route documents for an error status", () => {
    const readiness = { status: 'not ready', notReady: ['redis'], checks: { redis: { ok: false, error: 'connect ECONNREFUSED' } } };
    const e = errorFromAnswer(503, 'application/json', JSON.stringify(readiness));
    assert.deepEqual([e.code, e.body], ['Http503', readiness]);
    const refused = { statusCode: 404, code: 'TaskNotFound', message: 'task 7 not found' };
    assert.deepEqual(errorFromAnswer(404, 'application/json', JSON.stringify(refused)).body, refused);
  });
});

describe('errorWithoutAnswer', () => {
  it('names a network failure by its cause, a timeout and an abort by their codes', () => {
    const net = errorWithoutAnswer(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'network', 'http://h/x', 1000);
    assert.deepEqual([net.code, net.status, net.retryable], ['ServerUnreachable', null, true]);
    assert.match(net.message, /ECONNREFUSED/);
    assert.equal(errorWithoutAnswer(new Error('x'), 'timeout', 'http://h/x', 1000).code, 'Timeout');
    assert.deepEqual([errorWithoutAnswer(new Error('x'), 'aborted', 'http://h/x', 1000).code, errorWithoutAnswer(new Error('x'), 'aborted', 'u', 1).retryable], ['Aborted', false]);
  });

  it('keeps an error that already is one', () => {
    const e = new CronfleetApiError({ status: 404, code: 'TaskNotFound', message: 'task 7 not found', retryable: false });
    assert.equal(errorWithoutAnswer(e, 'network', 'u', 1), e);
  });
});

describe('isCronfleetApiError', () => {
  it('recognises the error by name and code, also from another copy of the package', () => {
    const copy = Object.assign(new Error('x'), { name: 'CronfleetApiError', code: 'TaskNotFound' });
    assert.ok(isCronfleetApiError(copy));
    assert.ok(!isCronfleetApiError(new Error('x')));
    assert.ok(!isCronfleetApiError({ name: 'CronfleetApiError', code: 'x' }));
  });
});
