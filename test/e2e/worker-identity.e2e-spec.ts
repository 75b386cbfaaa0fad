// Worker identity, end to end: two real API servers on MariaDB + Redis, real worker processes and raw
// socket.io clients. The worker token only enrols; each worker name then has a credential of its own,
// kept in the worker's state directory. A second process with a connected worker's name is refused
// whatever it carries, and the real worker's task runs on; a restart with the state directory is
// let in, one without it is refused until an admin re-enrols the name; a revoke cuts the connection
// on the server that holds it and refuses the next hello.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import {
  ApiError,
  assertNoLeakedProcesses,
  errorBody as baseErrorBody,
  expectApiError,
  messageText,
  randomId,
  RUN_ID,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type TestProcess,
  type TestServer,
  type WorkerInfo,
  runCli as cli,
  sayWorkerHello as rawHello, waitForWorkerOnline } from './helpers';

/** The error body with its stable `code`. */
const errorBody = (e: ApiError) => baseErrorBody(e) as ReturnType<typeof baseErrorBody> & { code?: string };
type SchedulerStatus = { isLeader: boolean };


describe('worker identity: enrolment, refused takeovers, revoke and re-enrol', { timeout: 300_000 }, () => {
  let a: TestServer;
  let b: TestServer;
  const procs: TestProcess[] = [];
  const sockets: Socket[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'cronfleet-identity-'));
  const suffix = randomId();
  const names = { real: `id-real-${suffix}`, back: `id-back-${suffix}`, cut: `id-cut-${suffix}`, old: `id-old-${suffix}` };
  const logs = (): string => [a?.process.report(4000), b?.process.report(4000), ...procs.map((p) => p.report(2000))].filter(Boolean).join('\n');
  const stateOf = (name: string): string => join(scratch, `state-${name}`);
  const credentialOf = (name: string): string => readFileSync(join(stateOf(name), 'credential'), 'utf8').trim();
  /** The worker writes its credential once the hello's ack arrives, a moment after the server lists it online. */
  const credentialIn = (dir: string): Promise<string> =>
    waitFor(() => existsSync(join(dir, 'credential')) && readFileSync(join(dir, 'credential'), 'utf8').trim(), { timeoutMs: 10_000, what: `a credential in ${dir}`, details: logs });

  /** Starts a worker process on `server` with its own state directory (default: the name's). */
  const worker = (server: TestServer, name: string, stateDir = stateOf(name)): TestProcess => {
    const proc = startWorker(server, name, { stateDir });
    procs.push(proc);
    return proc;
  };
  const online = (name: string): Promise<WorkerInfo> =>
    waitForWorkerOnline(a.api, { name, timeoutMs: 30_000, details: logs });
  /** The process must exit 1, having logged the server's refusal. */
  const refused = async (proc: TestProcess, pattern: RegExp): Promise<void> => {
    assert.ok(await proc.waitForExit(30_000), `${proc.label} was not refused:\n${proc.report()}`);
    assert.equal(proc.child.exitCode, 1, proc.report());
    assert.match(proc.output(), pattern);
  };
  /** A state directory holding only `credential`. */
  const stateWith = (label: string, credential: string | null): string => {
    const dir = join(scratch, `${label}-${randomId()}`);
    mkdirSync(dir, { mode: 0o700 });
    if (credential !== null) writeFileSync(join(dir, 'credential'), `${credential}\n`, { mode: 0o600 });
    return dir;
  };

  before(async () => {
    a = await startServer({ backend: 'mysql' });
    await waitFor(async () => (await a.api.call<SchedulerStatus>('GET', '/scheduler', [200])).isLeader, { timeoutMs: 15_000, what: 'the first server to lead', details: logs });
    b = await startServer({ backend: 'mysql', sharedWith: a });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const p of procs) await p.stop();
    await b?.stop();
    await a?.stop();
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('enrols a worker at its first hello: the credential is kept in its state directory (0600) and shown nowhere else', async () => {
    const proc = worker(a, names.real);
    const info = await online(names.real);
    assert.equal(info.enrolment?.state, 'enrolled');
    assert.ok(info.enrolment?.enrolledAt && Date.parse(info.enrolment.enrolledAt) > Date.now() - 120_000);
    const file = join(stateOf(names.real), 'credential');
    const credential = await credentialIn(stateOf(names.real));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(credential, /^[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(credential).digest('hex');
    const api = JSON.stringify([await a.api.listWorkers(), await a.api.getWorker(info.id)]);
    for (const secret of [credential, hash]) {
      assert.ok(!api.includes(secret), 'the API shows no credential and no hash');
      assert.ok(!proc.output().includes(secret) && !a.process.output(1_000_000).includes(secret), 'no log holds the credential or its hash');
    }
    assert.match(proc.output(), new RegExp(`enrolled by the server: this worker's credential is kept in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it("refuses a second process with a connected worker's name, with no, a wrong or the right credential, and the real worker's task runs on to success", async () => {
    const marker = join(scratch, `go-${randomId()}`);
    const job = await a.api.createCronJob({
      name: `identity-${randomId()}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'while [ ! -e "$1" ]; do sleep 0.1; done; echo "finished by the real worker"', RUN_ID, marker] },
      workerSelector: { names: [names.real] },
    });
    const taskId = (await a.api.runCronJob(job.id)).taskId;
    await waitFor(async () => (await a.api.getTask(taskId)).status === 'running', { timeoutMs: 30_000, what: 'the task running on the real worker', details: logs });
    const realId = (await a.api.listWorkers()).items.find((w) => w.name === names.real)!.id;

    // Worker processes: no credential, a wrong one, and the real one copied (another session), on either server.
    const copied = stateWith('copied', null);
    copyFileSync(join(stateOf(names.real), 'credential'), join(copied, 'credential'));
    const intruders = [
      worker(a, names.real, stateWith('empty', null)),
      worker(b, names.real, stateWith('wrong', 'w'.repeat(43))),
      worker(b, names.real, copied),
    ];
    for (const p of intruders) await refused(p, /WorkerNameTaken: a worker named '.*' is already connected; give each worker its own --name/);

    // Raw clients with the worker token: no session, a made-up session, and the real credential without the real session.
    const attempts: Record<string, unknown>[] = [
      { name: names.real },
      { name: names.real, sessionId: 'made-up-session', keepsCredential: true },
      { name: names.real, credential: credentialOf(names.real), keepsCredential: true },
    ];
    for (const hello of attempts) {
      const { ack, socket } = await rawHello(b, hello);
      sockets.push(socket);
      assert.deepEqual([ack.ok, ack.error?.code], [false, 'WorkerNameTaken'], JSON.stringify(ack));
      // Refused, it cannot report for the real worker's task either.
      const report = await socket.timeout(5000).emitWithAck('task:updates', { updates: [{ taskId, status: 'success', atMs: Date.now(), exitCode: 0 }] }).catch((e: Error) => e);
      assert.ok(report instanceof Error || (report as { error?: { code: string } }).error?.code === 'NotGreeted', JSON.stringify(report));
    }

    const meanwhile = await a.api.getTask(taskId);
    assert.equal(meanwhile.status, 'running', 'no refused hello marked the real worker\'s task lost');
    const real = await a.api.getWorker(realId);
    assert.equal(real.status, 'online');
    writeFileSync(marker, '');
    const done = await waitForTaskEnd(a.api, taskId, { timeoutMs: 30_000, details: logs });
    assert.equal(done.status, 'success');
    assert.equal(Number(done.workerId), Number(realId));
    assert.equal(await a.api.taskOutput(taskId), 'finished by the real worker\n');
  });

  it('lets a worker restarted with its state directory in; refuses one without it until an admin re-enrols the name; then the old credential is refused', async () => {
    const first = worker(b, names.back);
    await online(names.back);
    const original = await credentialIn(stateOf(names.back));
    await first.stop();
    const again = worker(b, names.back);
    await online(names.back);
    assert.equal(credentialOf(names.back), original, 'a restart keeps its credential');
    await again.stop();

    const rebuilt = stateWith('rebuilt', null);
    const lost = worker(a, names.back, rebuilt);
    await refused(lost, /WorkerCredentialRefused: worker '.*' is enrolled with a credential of its own and this hello carried no credential: start it with the state directory it enrolled with .*cronfleet workers reenrol id-back-/);
    const id = (await a.api.listWorkers()).items.find((w) => w.name === names.back)!.id;
    assert.notEqual((await a.api.getWorker(id)).status, 'online');

    const ls = await cli(a, ['workers', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /CREDENTIAL/);
    assert.match(ls.stdout.split('\n').find((l) => l.includes(names.back)) ?? '', /  enrolled  /);
    const reenrol = await cli(a, ['workers', 'reenrol', names.back]);
    assert.equal(reenrol.code, 0, reenrol.stderr);
    assert.match(reenrol.stdout, /open for enrolment: start it \(with the worker token\) and its first hello is issued a new credential/);
    assert.equal((await a.api.getWorker(id)).enrolment?.state, 'open');
    const twice = await cli(a, ['workers', 'reenrol', names.back]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /is open for enrolment already/);

    const fresh = worker(a, names.back, rebuilt);
    await online(names.back);
    const issued = await credentialIn(rebuilt);
    assert.notEqual(issued, original, 'a fresh credential');
    assert.equal((await a.api.getWorker(id)).enrolment?.state, 'enrolled');
    await fresh.stop();
    const stale = worker(b, names.back);
    await refused(stale, /WorkerCredentialRefused: .*carried a credential that does not match/);
  });

  it('revokes a worker connected to the other server: its connection is cut, its hellos are refused until it is re-enrolled', async () => {
    const proc = worker(b, names.cut);
    const info = await online(names.cut);
    await credentialIn(stateOf(names.cut));
    const revoked = await a.api.revokeWorker(info.id);
    assert.equal(revoked.enrolment?.state, 'revoked');
    assert.ok(revoked.enrolment?.revokedAt);
    await refused(proc, new RegExp(`WorkerRevoked: worker '${names.cut}' was revoked by an admin; to let it join again: cronfleet workers reenrol ${names.cut}`));
    await waitFor(async () => (await a.api.getWorker(info.id)).status !== 'online', { timeoutMs: 20_000, what: 'the revoked worker no longer online', details: logs });

    const again = await expectApiError(a.api.revokeWorker(info.id), 409);
    assert.deepEqual([errorBody(again).code, messageText(errorBody(again))], ['WorkerAlreadyRevoked', `worker ${info.id} '${names.cut}' is revoked already; to let it join again: cronfleet workers reenrol ${names.cut}`]);
    const { ack, socket } = await rawHello(a, { name: names.cut, credential: credentialOf(names.cut), keepsCredential: true });
    sockets.push(socket);
    assert.deepEqual([ack.ok, ack.error?.code], [false, 'WorkerRevoked']);

    await a.api.reenrolWorker(info.id);
    worker(b, names.cut);
    assert.equal((await online(names.cut)).enrolment?.state, 'enrolled');
    const viaCli = await cli(b, ['workers', 'revoke', names.cut, '--yes']);
    assert.equal(viaCli.code, 0, viaCli.stderr);
    assert.match(viaCli.stdout, /revoked: its connection is cut and it cannot join again until re-enrolled/);
  });

  it('answers 404 naming the worker, 409 where its state does not allow it, 403 to all but cluster-wide admins, and audits each call', async () => {
    const missing = await expectApiError(a.api.revokeWorker(999_999), 404);
    assert.deepEqual([errorBody(missing).code, messageText(errorBody(missing))], ['WorkerNotFound', 'worker 999999 not found']);
    await expectApiError(a.api.reenrolWorker(999_999), 404);
    const real = (await a.api.listWorkers()).items.find((w) => w.name === names.real)!;
    const busy = await expectApiError(a.api.reenrolWorker(real.id), 409);
    assert.equal(errorBody(busy).code, 'WorkerStillConnected');
    assert.match(messageText(errorBody(busy)), /is online; .*cronfleet workers revoke id-real-/);
    assert.equal((await a.api.getWorker(real.id)).enrolment?.state, 'enrolled', 'a refused call changes nothing');

    const operator = await a.api.withNewToken({ name: `id-op-${suffix}`, role: 'operator' });
    await expectApiError(operator.revokeWorker(real.id), 403);
    await expectApiError(operator.reenrolWorker(real.id), 403);
    const ns = `id-ns-${suffix}`;
    await a.api.call('POST', '/namespaces', [201], { name: ns });
    const scoped = await a.api.withNewToken({ name: `id-ns-admin-${suffix}`, role: 'admin', namespace: ns });
    await expectApiError(scoped.revokeWorker(real.id), 403);
    assert.equal((await a.api.getWorker(real.id)).enrolment?.state, 'enrolled');

    const audit = await a.api.call<{ items: { method: string; path: string; status: number; targetId: string | null }[] }>('GET', '/audit?limit=1000', [200]);
    const calls = audit.items.filter((e) => /^\/api\/v1\/workers\/\d+\/(revoke|reenrol)$/.test(e.path)).map((e) => `${e.path.split('/').pop()} ${e.status}`);
    for (const expected of ['revoke 200', 'revoke 409', 'revoke 404', 'reenrol 200', 'reenrol 409', 'revoke 403']) assert.ok(calls.includes(expected), `${expected} not in the audit log: ${calls.join(', ')}`);
    const cut = (await a.api.listWorkers()).items.find((w) => w.name === names.cut)!;
    assert.ok(audit.items.some((e) => e.path === `/api/v1/workers/${cut.id}/revoke` && e.status === 200 && e.targetId === String(cut.id)));
  });

  it('lets a worker older than credentials in on a new name without enrolling it, and enrols the name once the upgraded worker says hello', async () => {
    const { ack, socket } = await rawHello(a, { name: names.old, sessionId: `old-${suffix}` });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.credential, undefined, 'no credential for a worker that would lose it');
    const id = ack.workerId!;
    assert.equal((await a.api.getWorker(id)).enrolment?.state, 'open');
    socket.disconnect();
    await waitFor(async () => (await a.api.getWorker(id)).status !== 'online', { timeoutMs: 20_000, what: 'the old worker gone', details: logs });
    worker(a, names.old);
    assert.equal((await online(names.old)).enrolment?.state, 'enrolled');
    await credentialIn(stateOf(names.old));
  });
});
