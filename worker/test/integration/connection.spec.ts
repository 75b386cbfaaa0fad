import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerConnection, type ConnectionHandlers } from '../../src/connection';

const handlers: ConnectionHandlers = {
  hello: () => assert.fail('never connects'),
  heartbeat: () => assert.fail('never connects'),
  onReady: () => assert.fail('never connects'),
  onEnrolled: () => assert.fail('never connects'),
  onTaskRuns: () => undefined,
  onTaskStop: () => undefined,
  onTaskKill: () => undefined,
  onFatal: (reason) => assert.fail(`a certificate problem is not fatal: ${reason}`),
};

describe('WorkerConnection to a server whose certificate it does not trust', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cronfleet-connection-'));
  let server: Server;
  let handshakes = 0;
  let url: string;

  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'pipe' });
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    server.on('tlsClientError', () => handshakes++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the reason and the --ca fix once, however often it retries', async () => {
    const lines: string[] = [];
    const connection = new WorkerConnection(url, 'token', handlers, (line) => lines.push(line));
    connection.open();
    try {
      while (handshakes < 3) await new Promise((r) => setTimeout(r, 50));
    } finally {
      connection.close();
    }
    assert.deepEqual(lines, [
      `cannot connect to ${url}: TLS: the server's certificate is self-signed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); trust it with --ca <its PEM file> (or CRONFLEET_CA); retrying`,
    ]);
  });

  it('names a certificate that does not hold the host name of the URL, even with --ca', async () => {
    const lines: string[] = [];
    const other = url.replace('localhost', '127.0.0.1');
    const connection = new WorkerConnection(other, 'token', handlers, (line) => lines.push(line), readFileSync(join(dir, 'cert.pem'), 'utf8'));
    connection.open();
    try {
      while (lines.length === 0) await new Promise((r) => setTimeout(r, 50));
    } finally {
      connection.close();
    }
    assert.match(lines[0]!, /: TLS: the server's certificate does not name the host in --server: .*ERR_TLS_CERT_ALTNAME_INVALID.*connect with a name the certificate holds/);
  });
});
