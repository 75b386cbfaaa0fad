import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './cli-error';
import { CronfleetApiError } from '@cronfleet/client';
import { connectionFrom, toCliError } from './client';

describe('connectionFrom', () => {
  it('takes the flags over the environment', () => {
    const env = { CRONFLEET_SERVER: 'http://env:8080', CRONFLEET_ADMIN_TOKEN: 'from-env' };
    assert.deepEqual(connectionFrom({}, env), { baseUrl: 'http://env:8080', token: 'from-env' });
    assert.deepEqual(connectionFrom({ server: 'https://flag.example', token: 'from-flag' }, env), { baseUrl: 'https://flag.example', token: 'from-flag' });
  });

  it('accepts the API base and a trailing slash as the server URL', () => {
    assert.equal(connectionFrom({ server: 'http://h:8080/api/v1/', token: 't' }, {}).baseUrl, 'http://h:8080');
    assert.equal(connectionFrom({ server: 'http://h/cronfleet/', token: 't' }, {}).baseUrl, 'http://h/cronfleet');
  });

  it('is a configuration error (exit 2) naming the flag and the variable of each missing setting', () => {
    assert.throws(
      () => connectionFrom({}, {}),
      (e: unknown) =>
        e instanceof CliError &&
        e.exitCode === EXIT.usage &&
        ['--server', 'CRONFLEET_SERVER', '--token', 'CRONFLEET_ADMIN_TOKEN'].every((w) => e.message.includes(w)),
    );
    assert.throws(() => connectionFrom({ server: 'localhost:8080', token: 't' }, {}), /must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => connectionFrom({ server: 'not a url', token: 't' }, {}), /is not a URL/);
  });
});

describe('toCliError', () => {
  const base = 'http://h:8080';
  const refused = (status: number, code: string, message: string) => new CronfleetApiError({ status, code, message, retryable: false });

  it('words a refusal with its exit code and (HTTP status code), as before the typed client', () => {
    const notFound = toCliError(refused(404, 'TaskNotFound', 'task 9 not found'), base);
    assert.equal(notFound.exitCode, EXIT.notFound);
    assert.equal(notFound.message, 'task 9 not found (HTTP 404 TaskNotFound)');
    assert.deepEqual(notFound.refusal, { status: 404, code: 'TaskNotFound', message: 'task 9 not found' });
    const conflict = toCliError(refused(409, 'NamespaceExists', 'exists'), base);
    assert.equal(conflict.exitCode, EXIT.refused);
    assert.equal(conflict.message, 'exists (HTTP 409 NamespaceExists)');
    const token = toCliError(refused(401, 'Unauthorized', 'bad token'), base);
    assert.equal(token.exitCode, EXIT.usage);
    assert.equal(token.message, 'the server refused the admin token: bad token (HTTP 401 Unauthorized); check --token or CRONFLEET_ADMIN_TOKEN');
    // A Cronfleet error body without a code: the client's Http<status> is not shown as one.
    assert.equal(toCliError(refused(400, 'Http400', 'bad'), base).message, 'bad (HTTP 400)');
  });

  it('counts an answer that is not the API, no answer and a timeout as unreachable (exit 4)', () => {
    const proxy = toCliError(new CronfleetApiError({ status: 502, code: 'Http502', message: 'x', retryable: false, foreignAnswer: { contentType: 'text/html' } }), base);
    assert.equal(proxy.exitCode, EXIT.unreachable);
    assert.equal(proxy.message, 'no Cronfleet API at http://h:8080: it answered HTTP 502 (text/html)');
    // Read from the error's data, not its words: a server message that reads like the client's is the server's.
    const lookalike = toCliError(refused(400, 'ValidationFailed', 'name: the server answered HTTP 502 without a Cronfleet error body'), base);
    assert.equal(lookalike.exitCode, EXIT.refused);
    const down = new CronfleetApiError({ status: null, code: 'ServerUnreachable', message: 'x', retryable: true, cause: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }) });
    assert.equal(toCliError(down, base).message, 'cannot reach the server at http://h:8080: connect ECONNREFUSED 127.0.0.1:1');
    const slow = toCliError(new CronfleetApiError({ status: null, code: 'Timeout', message: 'x', retryable: true }), base);
    assert.deepEqual([slow.exitCode, slow.message], [EXIT.unreachable, 'the server at http://h:8080 did not answer within 30 s']);
  });
});
