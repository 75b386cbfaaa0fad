import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refuseBody } from './body-limits';

describe('refuseBody', () => {
  it('refuses a body longer than the limit by its Content-Length, before reading it', () => {
    const r = refuseBody({ 'content-length': '10485760', 'content-type': 'application/json' }, 1024);
    assert.equal(r?.status, 413);
    assert.match(r!.message, /^body: 10485760 bytes is more than the limit of 1024 bytes \(CRONFLEET_MAX_BODY_BYTES\)$/);
  });

  it('refuses a body that is not JSON, naming the type it got', () => {
    assert.equal(refuseBody({ 'content-length': '5', 'content-type': 'text/plain' }, 1024)?.status, 415);
    assert.match(refuseBody({ 'transfer-encoding': 'chunked' }, 1024)!.message, /without a Content-Type/);
    assert.equal(refuseBody({ 'content-length': '5', 'content-type': 'application/jsonx' }, 1024)?.status, 415);
  });

  it('lets JSON within the limit and requests without a body through', () => {
    assert.equal(refuseBody({ 'content-length': '2', 'content-type': 'application/json; charset=utf-8' }, 1024), null);
    assert.equal(refuseBody({ 'transfer-encoding': 'chunked', 'content-type': 'application/json' }, 1024), null);
    assert.equal(refuseBody({ 'content-type': 'text/plain' }, 1024), null);
    assert.equal(refuseBody({ 'content-length': '0' }, 1024), null);
  });
});
