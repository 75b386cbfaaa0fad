import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeConnectError } from './connect-error';

/** socket.io's connect_error over the websocket transport: the reason sits in description.error. */
const websocketError = (code: string, message: string): Error =>
  Object.assign(new Error('websocket error'), { type: 'TransportError', description: { error: Object.assign(new Error(message), { code }) } });

describe('describeConnectError', () => {
  it('names a self-signed certificate and the --ca fix', () => {
    assert.equal(
      describeConnectError(websocketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')),
      "TLS: the server's certificate is self-signed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); trust it with --ca <its PEM file> (or CRONFLEET_CA)",
    );
  });

  it('names an unknown CA, an expired certificate and a name mismatch, each with its own fix', () => {
    assert.match(describeConnectError(websocketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')), /does not know: .*; trust that CA with --ca/);
    assert.match(describeConnectError(websocketError('CERT_HAS_EXPIRED', 'certificate has expired')), /^TLS: the server's certificate has expired: .*renew .*clock/);
    assert.match(
      describeConnectError(websocketError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Host: 127.0.0.1. is not in the cert's altnames: DNS:localhost")),
      /^TLS: the server's certificate does not name the host in --server: Hostname\/IP does not match .*DNS:localhost \(ERR_TLS_CERT_ALTNAME_INVALID\); connect with a name the certificate holds/,
    );
  });

  it('adds the underlying reason to other transport errors, and keeps a plain error as it is', () => {
    assert.equal(describeConnectError(websocketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')), 'websocket error: connect ECONNREFUSED 127.0.0.1:1');
    assert.equal(describeConnectError(Object.assign(new Error('xhr poll error'), { cause: { message: 'socket hang up' } })), 'xhr poll error: socket hang up');
    assert.equal(describeConnectError(new Error('WorkerNameTaken: …')), 'WorkerNameTaken: …');
  });
});
