// The server's edges that are not routes (issue 17): a client that sends half a request is answered
// 408 and cut after the configured timeouts, not minutes later; the data dir and the SQLite files
// (task output, sealed secrets) are private to the server's user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, SERVER_BIN, GiveUp, TestProcess, assertNoLeakedProcesses, childEnv, freePort, randomId, startServer, waitFor, type TestServer } from './helpers';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Sends `text` on a raw connection and returns what the server answers until it closes the connection. */
function halfRequest(server: TestServer, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

describe('request timeouts and a private data dir (SQLite)', { timeout: 120_000 }, () => {
  let server: TestServer;
  const root = join(tmpdir(), `cronfleet-e2e-private-${randomId()}`);
  const dataDir = join(root, 'data');

  before(async () => {
    // A data dir as an older version left it: readable by everyone.
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    server = await startServer({
      backend: 'embedded',
      env: { CRONFLEET_DATA_DIR: dataDir, CRONFLEET_REQUEST_TIMEOUT_SECONDS: '3', CRONFLEET_HEADERS_TIMEOUT_SECONDS: '2' },
    });
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('answers 408 and closes the connection when a body never arrives whole', async () => {
    const answer = await halfRequest(server, `POST /api/v1/cronjobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /request: not received in time/);
  });

  it('answers 408 and closes the connection when the headers never end', async () => {
    const answer = await halfRequest(server, 'GET /api/v1/cronjobs HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('refuses a query parameter a route does not take, and an id spelt otherwise than in plain digits, naming it', async () => {
    const refused = async (path: string): Promise<string> => {
      const r = await server.api.send('GET', path, [400]);
      return (JSON.parse(r.text) as { message: string }).message;
    };
    // Routes that take no query at all, and one that takes some: the same rule.
    assert.match(await refused('/namespaces?foo=1'), /^foo: unknown query parameter/);
    assert.match(await refused('/scheduler?limt=5'), /^limt: /);
    assert.match(await refused('/cronjobs?limt=5'), /^limt: /);
    assert.match(await refused('/cronjobs/01'), /^id: .*plain decimal digits.*'01'/);
    assert.match(await refused('/tasks/%201'), /^id: /);
    assert.match(await refused('/audit?cursor=0'), /^cursor: /);
  });

  it('prints the data dir and the database as the absolute paths they are, and a worker command without --token', () => {
    // The server runs in another directory than its data dir, which is absolute.
    const out = server.process.output(1_000_000);
    assert.match(out, new RegExp(`^cronfleet: database: SQLite ${escape(join(dataDir, 'cronfleet.sqlite'))}; `, 'm'));
    assert.match(out, new RegExp(`^cronfleet: start a worker on another host \\(the worker package, docs/workers\\.md\\), with this server's CRONFLEET_WORKER_TOKEN in its environment: cronfleet-worker --server ${escape(server.url)}$`, 'm'));
    assert.doesNotMatch(out, /--token/, 'no token on a command line');
  });

  it('keeps the data dir 0700 and the SQLite database, its WAL and shared memory 0600', async () => {
    // Something written, so that the WAL is there.
    await server.api.createCronJob({ name: `p-${randomId(3)}`, schedule: '@yearly', runner: 'command', spec: { command: 'true' }, enabled: false });
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    assert.equal(mode(dataDir), '700');
    for (const f of ['cronfleet.sqlite', 'cronfleet.sqlite-wal', 'cronfleet.sqlite-shm', 'tokens.json']) assert.equal(mode(join(dataDir, f)), '600', f);
  });
});

describe('the start banner of a server whose tokens are generated', { timeout: 60_000 }, () => {
  const root = join(tmpdir(), `cronfleet-e2e-banner-${randomId()}`);
  const dataDir = join(root, 'nested', 'data');
  let proc: TestProcess | undefined;

  after(async () => {
    await proc?.stop();
    rmSync(root, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('prints where the tokens are kept as an absolute path, and the worker token in the environment form, not as --token', async () => {
    mkdirSync(root, { recursive: true });
    const port = await freePort();
    // No CRONFLEET_ADMIN_TOKEN or CRONFLEET_WORKER_TOKEN: both are generated into tokens.json.
    proc = new TestProcess(`server:${port}`, [CLI_BIN, 'server', '--port', String(port), '--data-dir', dataDir], {
      cwd: root,
      env: childEnv({ CRONFLEET_HOST: '127.0.0.1' }),
    });
    const p = proc;
    await waitFor(
      () => {
        if (p.exited) throw new GiveUp('the server exited');
        return p.output().includes('start a worker on another host');
      },
      { timeoutMs: 30_000, what: 'the start banner', details: () => p.report() },
    );
    const tokens = JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as { adminToken: string; workerToken: string };
    const out = p.output();
    assert.match(out, new RegExp(`^cronfleet: database: SQLite ${escape(join(dataDir, 'cronfleet.sqlite'))}; `, 'm'));
    assert.match(out, new RegExp(`^cronfleet: admin token: ${escape(tokens.adminToken)}  \\(generated now, kept in ${escape(join(dataDir, 'tokens.json'))}\\)$`, 'm'));
    assert.match(out, new RegExp(`^cronfleet: start a worker on another host \\(the worker package, docs/workers\\.md\\): CRONFLEET_WORKER_TOKEN=${escape(tokens.workerToken)} cronfleet-worker --server http://127\\.0\\.0\\.1:${port}$`, 'm'));
    assert.doesNotMatch(out, /--token/);
  });
});

describe('a server whose port is taken', { timeout: 60_000 }, () => {
  const root = join(tmpdir(), `cronfleet-e2e-taken-${randomId()}`);
  let server: TestServer | undefined;
  let proc: TestProcess | undefined;

  after(async () => {
    await proc?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('exits 1 naming the address, and never leads', async () => {
    server = await startServer({ backend: 'embedded' });
    mkdirSync(root, { recursive: true });
    proc = new TestProcess(`server:${server.port}:second`, [SERVER_BIN, '--port', String(server.port), '--data-dir', join(root, 'data')], {
      cwd: root,
      env: childEnv({ CRONFLEET_HOST: '127.0.0.1', CRONFLEET_ADMIN_TOKEN: `admin-${randomId(16)}`, CRONFLEET_WORKER_TOKEN: `worker-${randomId(16)}` }),
    });
    const p = proc;
    await waitFor(() => p.exited, { timeoutMs: 45_000, what: 'the second server to exit', details: () => p.report() });
    assert.equal(p.exitDescription(), 'exit code 1', p.report());
    assert.match(p.output(), /EADDRINUSE: address already in use 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(p.output(), /became leader|leading \(epoch/, 'a server that cannot serve must not take the lease');
    // The first one serves on, as it was.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
