import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION, WorkerStatsSchema, type WorkerHello } from '@cronfleet/shared';
import type { WorkerConfig } from '../../src/config';
import { CREDENTIAL_FILE } from '../../src/credential-store';
import { GatewayStub, TempDirs, leakGuard, pollUntil, spooledResults, workerConfig, type WorkerSocket } from './gateway-stub';
import { startWorker, type WorkerHandle } from '../../src/worker';

describe('worker over socket.io', () => {
  let guard: ReturnType<typeof leakGuard>;
  const dirs = new TempDirs();
  let server: GatewayStub | null = null;
  let worker: WorkerHandle | null = null;
  let stateDir = '';
  let logs: string[] = [];

  before(() => {
    guard = leakGuard();
  });

  afterEach(async () => {
    if (worker) await worker.kill();
    if (server) await server.close();
    worker = server = null;
    logs = [];
    dirs.removeAll();
    await guard.check();
  });

  async function start(config: Partial<WorkerConfig> = {}, prepare?: (s: GatewayStub) => void): Promise<GatewayStub> {
    const s = await GatewayStub.start();
    server = s;
    prepare?.(s);
    stateDir = dirs.make();
    worker = startWorker(workerConfig(s, stateDir, config), { log: (line) => logs.push(line) });
    await s.waitFor('hello', () => s.hellos.length === 1);
    return s;
  }

  const handle = (): WorkerHandle => worker as WorkerHandle;

  it('says hello with its name, capacity, labels, runners, protocol version and draining false', async () => {
    const s = await start({ labels: { region: 'eu', gpu: 'true' } });
    const { clockMs, sessionId, runners, ...hello } = s.hellos[0] as WorkerHello;
    // docker joins when this machine has an engine that answers.
    assert.deepEqual(runners.filter((r) => r !== 'docker'), ['command', 'script', 'http']);
    assert.match(sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(hello, {
      name: 'w1',
      hostname: hostname(),
      version: '0.1.0',
      protocolVersion: PROTOCOL_VERSION,
      capacity: 2,
      labels: { region: 'eu', gpu: 'true' },
      runningTaskIds: [],
      draining: false,
      keepsCredential: true,
    });
    assert.ok(Math.abs(clockMs - Date.now()) < 5000);
  });

  it('sends heartbeats every heartbeatSeconds with valid stats, and the last error it hit', async () => {
    const s = await start({ capacity: 1 }, (stub) => (stub.helloAck = () => ({ ok: true, workerId: 1, heartbeatSeconds: 0.1 })));
    await s.waitFor('2 heartbeats', () => s.heartbeats.length >= 2);
    const first = s.heartbeats[0];
    assert.deepEqual(first?.runningTaskIds, []);
    assert.equal(first?.draining, false);
    const stats = WorkerStatsSchema.parse(first?.stats);
    assert.equal(stats.lastError, null);
    assert.ok(stats.rssBytes > 0 && stats.hostTotalMemoryBytes >= stats.hostFreeMemoryBytes && stats.hostTotalMemoryBytes > 0);

    await s.run(1, 'sleep', '30');
    const refused = await s.run(2, 'echo');
    assert.equal(refused.accepted, false);
    await s.waitFor('a heartbeat naming the refusal', () => s.heartbeats.some((h) => h.stats?.lastError?.code === 'WorkerAtCapacity'));
    const beat = s.heartbeats.find((h) => h.stats?.lastError?.code === 'WorkerAtCapacity');
    assert.deepEqual(beat?.runningTaskIds, [1]);
    assert.equal(beat?.stats?.lastError?.message, 'refused task 2: worker runs 1 of 1 tasks');
    assert.ok(Math.abs((beat?.stats?.lastError?.atMs ?? 0) - Date.now()) < 60_000);
    assert.deepEqual(await s.kill(1), { found: true });
    await s.waitFor('killed', () => s.updates(1).some((u) => u.status === 'killed'));
  });

  it('reports a task that cannot start as the last error', async () => {
    const s = await start({}, (stub) => (stub.helloAck = () => ({ ok: true, workerId: 1, heartbeatSeconds: 0.1 })));
    await s.run(1, 'cronfleet-no-such-command');
    await s.waitFor('failed', () => s.updates(1).some((u) => u.status === 'failed'));
    await s.waitFor('a heartbeat naming it', () => s.heartbeats.some((h) => h.stats?.lastError?.code === 'CommandNotFound'));
  });

  it('runs `echo hello`: running, then its output, then success', async () => {
    const s = await start();
    assert.deepEqual(await s.run(1, 'echo', 'hello'), { accepted: true });
    await s.waitFor('final update', () => s.updates(1).some((u) => u.status !== 'running'));
    assert.deepEqual(s.received.map((r) => (r.event === 'task:update' ? r.msg.status : 'output')), ['running', 'output', 'success']);
    assert.equal(s.output(1), 'hello\n');
    assert.equal(s.updates(1)[1]?.exitCode, 0);
  });

  it('refuses a command or interpreter outside --allowed-commands as CommandNotAllowed, and runs those inside', async () => {
    const s = await start({ allowedCommands: ['echo', '/usr/bin/env'] });
    const option = '--allowed-commands / CRONFLEET_WORKER_ALLOWED_COMMANDS: echo, /usr/bin/env';
    const refused = await s.run(1, 'rm', '-rf', '/tmp/nothing-here');
    assert.deepEqual(refused.accepted === false && refused.error, {
      code: 'CommandNotAllowed',
      message: `command 'rm' is not allowed on this worker (${option})`,
      retryable: true,
    });
    const shell = await s.runTask(2, { runner: 'command', spec: { command: 'echo hi', args: [], env: {}, shell: true } });
    assert.equal(shell.accepted === false && shell.error.message, `shell commands run /bin/sh, which is not allowed on this worker (${option})`);
    const script = await s.runTask(3, { runner: 'script', spec: { interpreter: 'sh', content: 'echo hi', args: [], env: {} } });
    assert.equal(script.accepted === false && script.error.code, 'CommandNotAllowed');
    assert.deepEqual(await s.run(4, '/bin/echo', 'allowed'), { accepted: true }, 'a bare name allows it from any directory');
    await s.waitFor('success', () => s.updates(4).some((u) => u.status === 'success'));
    assert.equal(s.output(4), 'allowed\n');
    assert.deepEqual(s.updates(1), [], 'a refused task never runs');
  });

  it('masks secret values in the output, also split across reads, and in the log line of the task', async () => {
    const s = await start();
    const secretEnv = { TOKEN: 'hunter22-secret', SHORT: 'ab' };
    const script = 'echo "env: $TOKEN"; printf "split: hunter22"; sleep 0.2; printf -- "-secret, short: %s\\n" "$SHORT"';
    await s.runTask(1, { runner: 'command', spec: { command: 'sh', args: ['-c', script, 'hunter22-secret', 'ab'], env: {}, shell: false } }, { secretEnv });
    await s.waitFor('success', () => s.updates(1).some((u) => u.status === 'success'));
    assert.equal(s.output(1), 'env: ***\nsplit: ***, short: ab\n');
    const started = logs.find((l) => l.startsWith('task 1 started: '));
    assert.ok(started?.endsWith(` *** ***`), started);
    assert.ok(!logs.join('\n').includes('hunter22-secret'), logs.join('\n'));
  });

  it('runs script and http tasks, each logged by what it runs and never by its headers or body', async () => {
    const s = await start();
    const content = 'echo "from $0" | grep -c cronfleet-script';
    await s.runTask(1, { runner: 'script', spec: { interpreter: 'sh', content, args: ['x'], env: {} } });
    await s.waitFor('script success', () => s.updates(1).some((u) => u.status === 'success'));
    assert.equal(s.output(1), '1\n');
    assert.ok(logs.includes(`task 1 started: script sh script (${content.length} bytes) x`), logs.join('\n'));

    const url = `http://127.0.0.1:${await freePort()}/hook?run=1`;
    const spec = { method: 'POST' as const, url, headers: { authorization: 'Bearer xyz' }, body: 'payload', followRedirects: true };
    await s.runTask(2, { runner: 'http', spec });
    await s.waitFor('http failed', () => s.updates(2).some((u) => u.status === 'failed'));
    assert.equal(s.updates(2).at(-1)?.error?.code, 'ECONNREFUSED');
    assert.ok(logs.includes(`task 2 started: http POST ${url}`), logs.join('\n'));
    assert.ok(!logs.some((l) => l.includes('Bearer') || l.includes('payload')));
  });

  it('acks a task sent again after its result was delivered, and does not run it a second time', async () => {
    const s = await start();
    assert.deepEqual(await s.run(1, 'echo', 'once'), { accepted: true });
    await s.waitFor('final update', () => s.updates(1).some((u) => u.status !== 'running'));
    await new Promise((r) => setTimeout(r, 300)); // the result's ack is back: the outbox holds nothing of it
    // The server's resend of a claimed task read the row before the result arrived (long chaos run).
    assert.deepEqual(await s.run(1, 'echo', 'once'), { accepted: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(s.updates(1).map((u) => u.status), ['running', 'success']);
    assert.equal(s.output(1), 'once\n');
  });

  it('refuses invalid, over-capacity and duplicate tasks, and kills a task on task:kill as TaskKilled', async () => {
    const s = await start({ capacity: 1 });
    const invalid = await s.run(9, '');
    assert.equal(invalid.accepted === false && invalid.error.code, 'InvalidMessage');
    assert.deepEqual(await s.run(1, 'sleep', '30'), { accepted: true });
    assert.deepEqual(await s.run(1, 'sleep', '30'), { accepted: true });
    const full = await s.run(2, 'echo');
    assert.deepEqual(full.accepted === false && full.error, {
      code: 'WorkerAtCapacity',
      message: 'worker runs 1 of 1 tasks',
      retryable: true,
    });

    assert.deepEqual(await s.kill(1, 'killed through the API'), { found: true });
    await s.waitFor('killed', () => s.updates(1).some((u) => u.status === 'killed'));
    assert.deepEqual(s.updates(1).map((u) => u.status), ['running', 'killed']);
    assert.equal(s.updates(1)[1]?.signal, 'SIGKILL');
    assert.deepEqual(s.updates(1)[1]?.error, { code: 'TaskKilled', message: 'killed by the server: killed through the API', retryable: false });
    assert.deepEqual(await s.kill(1), { found: false });
  });

  it('stops a task on task:stop: SIGTERM ends a plain sleep, reported killed as TaskStopped with the reason', async () => {
    const s = await start();
    await s.run(1, 'sleep', '30');
    await s.waitFor('running', () => s.updates(1).length === 1);
    assert.deepEqual(await s.stop(1, 600, 'cancelled through the API'), { found: true });
    await s.waitFor('killed', () => s.updates(1).some((u) => u.status === 'killed'));
    const { atMs, ...update } = s.updates(1).at(-1) ?? { atMs: 0 };
    assert.deepEqual(update, {
      taskId: 1,
      status: 'killed',
      exitCode: null,
      signal: 'SIGTERM',
      error: { code: 'TaskStopped', message: 'stopped by the server: cancelled through the API', retryable: false },
    });
  });

  it('SIGKILLs the process group after graceSeconds when the task ignores SIGTERM', async () => {
    const s = await start();
    await s.run(2, 'sh', '-c', 'trap "" TERM; echo trapped; sleep 30');
    await s.waitFor('the trap set', () => s.output(2) === 'trapped\n');
    assert.deepEqual(await s.stop(2, 1), { found: true });
    await s.waitFor('killed', () => s.updates(2).some((u) => u.status === 'killed'));
    const last = s.updates(2).at(-1);
    assert.equal(last?.signal, 'SIGKILL');
    assert.deepEqual(last?.error, { code: 'TaskStopped', message: 'stopped by the server: no reason given', retryable: false });
  });

  it('answers found:false to task:stop and task:kill of a task it does not run, and to invalid ones', async () => {
    const s = await start();
    assert.deepEqual(await s.stop(99, 5), { found: false });
    assert.deepEqual(await s.kill(99), { found: false });
    const socket = s.live as unknown as { timeout(ms: number): { emitWithAck(event: string, msg: unknown): Promise<unknown> } };
    assert.deepEqual(await socket.timeout(5000).emitWithAck('task:stop', { taskId: 1 }), { found: false });
    assert.deepEqual(await socket.timeout(5000).emitWithAck('task:kill', { taskId: -1 }), { found: false });
    assert.ok(logs.some((l) => l.startsWith('ignored task:stop: task:stop: graceSeconds: ')), logs.join('\n'));
  });

  it('exits with the InvalidToken error instead of retrying forever when the token is wrong', async () => {
    const s = await GatewayStub.start();
    server = s;
    worker = startWorker(workerConfig(s, dirs.make(), { token: 'not-the-token' }), { log: (line) => logs.push(line) });
    const exit = await worker.closed;
    assert.equal(exit.code, 1);
    assert.match(exit.reason ?? '', /InvalidToken/);
    assert.ok(!exit.reason?.includes('not-the-token'), 'the token is never logged');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(s.connections, 1, 'did not try again');
  });

  it('reconnects instead of exiting when the server answers the hello with a retryable error', async () => {
    let hellos = 0;
    const s = await GatewayStub.start();
    server = s;
    const failFirst = s.helloAck;
    s.helloAck = (...args: Parameters<typeof failFirst>) => (++hellos === 1 ? { ok: false, error: { code: 'ServerUnavailable', message: 'the database did not answer', retryable: true } } : failFirst(...args));
    worker = startWorker(workerConfig(s, dirs.make()), { log: (line) => logs.push(line) });
    await s.waitFor('a second hello', () => s.hellos.length >= 2);
    await pollUntil('connected', () => logs.some((l) => l.startsWith('connected to')), 10_000);
    assert.ok(logs.some((l) => l.includes('the server could not take the hello now: ServerUnavailable')), logs.join('\n'));
  });

  for (const [code, message] of [
    ['ProtocolMismatch', 'worker speaks protocol 1, server speaks 2: upgrade the older side'],
    ['ClockSkew', "the worker's clock is 12 s off the server's"],
    ['WorkerNameTaken', "a worker named 'w1' is already connected; give each worker its own --name"],
    ['WorkerCredentialRefused', "worker 'w1' is enrolled with a credential of its own and this hello carried no credential: ..."],
    ['WorkerRevoked', "worker 'w1' was revoked by an admin; to let it join again: cronfleet workers reenrol w1"],
  ]) {
    it(`logs the server's message and exits with code 1 when the server refuses the hello with ${code}`, async () => {
      server = await GatewayStub.start();
      server.helloAck = () => ({ ok: false, error: { code, message, retryable: false } });
      worker = startWorker(workerConfig(server, dirs.make()), { log: (line) => logs.push(line) });
      const reason = `refused by server: ${code}: ${message}`;
      assert.deepEqual(await worker.closed, { code: 1, reason });
      assert.ok(logs.includes(reason));
    });
  }

  it('keeps retrying with backoff while the server is down and connects once it is up', async () => {
    const port = await freePort();
    worker = startWorker(workerConfig({ url: `http://127.0.0.1:${port}` }, dirs.make()), { log: (line) => logs.push(line) });
    await pollUntil('a connection failure', () => logs.some((l) => l.startsWith(`cannot connect to http://127.0.0.1:${port}: `)));
    const s = await GatewayStub.start(port);
    server = s;
    await s.waitFor('hello', () => s.hellos.length === 1);
  });

  for (const [how, drop] of [
    ['disconnects the socket', (socket: WorkerSocket) => socket.disconnect(true)],
    ['closes the transport', (socket: WorkerSocket) => socket.conn.close()],
  ] as const) {
    it(`re-sends a final update after the server ${how} before acking it`, async () => {
      let dropped = false;
      const s = await start({}, (stub) => {
        stub.onUpdate = (msg, ack, socket) => {
          if (msg.status !== 'success' || dropped) return ack({ recorded: true });
          dropped = true;
          drop(socket);
        };
      });
      await s.run(5, 'echo', 'once');
      await s.waitFor('success twice', () => s.updates(5).filter((u) => u.status === 'success').length === 2);
      assert.equal(s.hellos.length, 2);
      assert.deepEqual(s.hellos[1]?.runningTaskIds, [5], 'the task with its result on the way still counts as the worker’s');
      assert.deepEqual(await handle().drain(), { code: 0, reason: 'stopped' });
      assert.equal(logs.some((l) => l.startsWith('giving up')), false, 'the re-sent update was acked');
    });
  }

  it('reports a task still running in the hello after a reconnect', async () => {
    const s = await start();
    await s.run(3, 'sleep', '30');
    await s.waitFor('running', () => s.updates(3).length === 1);
    s.live.disconnect(true);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.deepEqual(s.hellos[1]?.runningTaskIds, [3]);
  });

  it('keeps the credential the server issues in its state directory (mode 0600), says hello with it from then on, and never logs it', async () => {
    const credential = 'k'.repeat(43);
    const s = await start({}, (stub) => {
      stub.helloAck = (hello) => ({ ok: true, workerId: 7, heartbeatSeconds: 30, ...(hello.credential ? {} : { credential }) });
    });
    assert.equal(s.hellos[0]?.credential, undefined, 'a worker never enrolled has none to send');
    await pollUntil('the credential file', () => existsSync(join(stateDir, CREDENTIAL_FILE)));
    assert.equal(readFileSync(join(stateDir, CREDENTIAL_FILE), 'utf8'), `${credential}\n`);
    assert.equal(statSync(join(stateDir, CREDENTIAL_FILE)).mode & 0o777, 0o600);
    s.live.disconnect(true);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.equal(s.hellos[1]?.credential, credential);
    assert.ok(logs.some((l) => l.startsWith('enrolled by the server: ') && l.includes(join(stateDir, CREDENTIAL_FILE))), logs.join('\n'));
    assert.ok(!logs.some((l) => l.includes(credential)), 'the credential is never logged');
  });

  it('says hello with the credential an earlier run kept in the state directory', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, CREDENTIAL_FILE), 'kept-by-an-earlier-run-0123456789\n', { mode: 0o600 });
    const s = await start({ stateDir: dir });
    assert.equal(s.hellos[0]?.credential, 'kept-by-an-earlier-run-0123456789');
  });

  it('does not start when the credential file cannot be read, naming the file', async () => {
    const dir = dirs.make();
    mkdirSync(join(dir, CREDENTIAL_FILE));
    assert.throws(() => startWorker(workerConfig({ url: 'http://127.0.0.1:1' }, dir), { log: (line) => logs.push(line) }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'StateDirUnusable');
      assert.match(e.message, new RegExp(`cannot read the worker's credential ${join(dir, CREDENTIAL_FILE)} \\(EISDIR\\)`));
      return true;
    });
  });

  it('drains: refuses new tasks as WorkerDraining, tells the server at once, waits with no limit, exits 0 once results are acked', async () => {
    const s = await start();
    const go = join(dirs.make(), 'go');
    await s.run(1, 'sh', '-c', `while [ ! -e '${go}' ]; do sleep 0.05; done; echo finished`);
    await s.waitFor('running', () => s.updates(1).length === 1);
    let exited = false;
    const closed = handle().drain().then((exit) => ((exited = true), exit));
    // heartbeatSeconds is 30 here: this one was sent because draining began.
    await s.waitFor('a draining heartbeat', () => s.heartbeats.some((h) => h.draining));
    assert.deepEqual(s.heartbeats.at(-1)?.runningTaskIds, [1]);
    const refused = await s.run(2, 'echo');
    assert.deepEqual(refused.accepted === false && refused.error, {
      code: 'WorkerDraining',
      message: 'worker is shutting down and takes no new tasks',
      retryable: true,
    });
    s.live.disconnect(true);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.equal(s.hellos[1]?.draining, true, 'a reconnect while draining says so in the hello');
    assert.equal(exited, false, 'still waiting for the running task');

    writeFileSync(go, '');
    assert.deepEqual(await closed, { code: 0, reason: 'stopped' });
    assert.equal(s.updates(1).at(-1)?.status, 'success');
    assert.equal(s.output(1), 'finished\n');
  });

  it('drains with a limit: lets short tasks finish, then stops the rest as WorkerShutdown', async () => {
    const s = await start({ shutdownGraceSeconds: 0.5 });
    await s.run(1, 'sh', '-c', 'sleep 0.2; echo finished');
    await s.run(2, 'sleep', '30');
    await s.waitFor('both running', () => s.updates(1).length === 1 && s.updates(2).length === 1);
    const closed = handle().drain();
    const refused = await s.run(3, 'echo');
    assert.equal(refused.accepted === false && refused.error.code, 'WorkerDraining');

    assert.deepEqual(await closed, { code: 0, reason: 'stopped' });
    assert.equal(s.updates(1).at(-1)?.status, 'success');
    assert.equal(s.output(1), 'finished\n');
    assert.deepEqual(s.updates(2).at(-1)?.error, { code: 'WorkerShutdown', message: 'worker is shutting down', retryable: true });
    assert.equal(s.updates(2).at(-1)?.status, 'killed');
    assert.equal(s.updates(2).at(-1)?.signal, 'SIGTERM');
  });

  it('stop() after drain() stops the running tasks: SIGTERM, then SIGKILL after stopGraceSeconds; exits 0', async () => {
    const s = await start({ stopGraceSeconds: 1 });
    await s.run(1, 'sh', '-c', 'trap "" TERM; echo trapped; sleep 30');
    await s.waitFor('the trap set', () => s.output(1) === 'trapped\n');
    const closed = handle().drain();
    await s.waitFor('a draining heartbeat', () => s.heartbeats.some((h) => h.draining));
    void handle().stop();
    assert.deepEqual(await closed, { code: 0, reason: 'stopped' });
    const last = s.updates(1).at(-1);
    assert.equal(last?.status, 'killed');
    assert.equal(last?.signal, 'SIGKILL');
    assert.equal(last?.error?.code, 'WorkerShutdown');
  });

  it('a shorter drain limit given later cuts an unlimited drain short', async () => {
    const s = await start();
    await s.run(1, 'sleep', '30');
    await s.waitFor('running', () => s.updates(1).length === 1);
    const closed = handle().drain(null);
    void handle().drain(0);
    assert.deepEqual(await closed, { code: 0, reason: 'stopped' });
    assert.equal(s.updates(1).at(-1)?.error?.code, 'WorkerShutdown');
  });

  it('kill() SIGKILLs every task at once and closes with code 1', async () => {
    const s = await start();
    await s.run(1, 'sh', '-c', 'trap "" TERM; echo trapped; sleep 30');
    await s.waitFor('the trap set', () => s.output(1) === 'trapped\n');
    void handle().drain();
    assert.deepEqual(await handle().kill(), { code: 1, reason: 'killed' });
    // Delivered within the second kill() waits, or else kept on disk for the next start.
    const result = s.results().find((u) => u.taskId === 1) ?? spooledResults(stateDir).find((u) => u.taskId === 1);
    assert.equal(result?.status, 'killed');
    assert.equal(result?.signal, 'SIGKILL');
    assert.equal(result?.error?.code, 'WorkerShutdown');
  });
});

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
