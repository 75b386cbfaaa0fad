import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './cli-error';
import { connectionFrom } from './client';

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
