// The worker fleet across two real API servers on one MariaDB + Redis, with real worker processes:
// dispatch and kill reach a worker through the instance that does not hold its connection; stop
// escalates to kill; a worker SIGKILLed mid-task has its task declared lost and retried on another
// worker; a worker cut off from its server delivers the result it kept once it is back; drain;
// broadcast; 409 and 504 from stop/kill. Heartbeats every second, so "silent for three intervals"
// is three seconds; every wait is for a state, bounded, never a fixed sleep standing in for one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION, WORKER_NAMESPACE } from '@cronfleet/shared';
import {
  assertNoLeakedProcesses,
  describeProcesses,
  expectApiError,
  liveProcessesInGroup,
  liveProcessesWithArg,
  randomId,
  sayWorkerHello,
  RUN_ID,
  startServer,
  startWorker,
  waitFor,
  type Task,
  type TestProcess,
  type TestServer,
  type WorkerInfo, waitForWorkerOnline } from './helpers';

type SchedulerStatus = { isLeader: boolean };
const env = { CRONFLEET_HEARTBEAT_SECONDS: '1', CRONFLEET_LEASE_SECONDS: '3', CRONFLEET_ACK_TIMEOUT_SECONDS: '3' };

describe('a worker fleet on two API servers', { timeout: 300_000 }, () => {
  let leader: TestServer;
  let standby: TestServer;
  const procs: TestProcess[] = [];
  const suffix = randomId();
  const names = { b1: `fleet-b1-${suffix}`, a1: `fleet-a1-${suffix}`, x2: `fleet-x2-${suffix}` };
  const logs = (): string => [leader?.process.report(3000), standby?.process.report(3000), ...procs.map((p) => p.report(2000))].filter(Boolean).join('\n');

  const worker = async (server: TestServer, name: string, labels: Record<string, string>): Promise<{ proc: TestProcess; info: WorkerInfo }> => {
    const proc = startWorker(server, name, { capacity: 4, labels });
    procs.push(proc);
    const info = await waitForWorkerOnline(leader.api, { name, details: logs });
    return { proc, info };
  };
  const taskOf = (id: number): Promise<Task> => leader.api.getTask(id);
  const until = (id: number, pred: (t: Task) => boolean, what: string, timeoutMs = 30_000): Promise<Task> =>
    waitFor(async () => {
      const t = await taskOf(id);
      return pred(t) && t;
    }, { timeoutMs, what: `task ${id} ${what}`, details: logs });
  /** The process group of the task whose shell has `marker` as its $0, once it runs. */
  const groupOf = async (marker: string): Promise<number> =>
    (await waitFor(() => liveProcessesWithArg(marker)[0], { timeoutMs: 10_000, what: `the task's shell (${marker})`, details: logs })).pgid;
  const groupGone = (pgid: number): Promise<unknown> =>
    waitFor(() => liveProcessesInGroup(pgid).length === 0, { timeoutMs: 10_000, what: `no process left in group ${pgid}`, details: () => describeProcesses(liveProcessesInGroup(pgid)) });
  /** A one-off run of a job pinned by name to one worker, its shell's $0 `marker`; returns the task id. */
  const runOn = async (workerName: string, script: string, marker = RUN_ID): Promise<number> => {
    const job = await standby.api.createCronJob({
      name: `fleet-${randomId()}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', script, marker] },
      workerSelector: { names: [workerName] },
    });
    return (await leader.api.runCronJob(job.id)).taskId;
  };

  before(async () => {
    leader = await startServer({ backend: 'mysql', env });
    await waitFor(async () => (await leader.api.call<SchedulerStatus>('GET', '/scheduler', [200])).isLeader, { timeoutMs: 15_000, what: 'the first server to lead', details: logs });
    standby = await startServer({ backend: 'mysql', sharedWith: leader, env });
  });
  after(async () => {
    for (const p of procs) await p.stop();
    await standby?.stop();
    await leader?.stop();
    assertNoLeakedProcesses();
  });

  it('dispatches to a worker connected only to the standby, and kills its process tree through the leader', async () => {
    const { info, proc } = await worker(standby, names.b1, { pool: 'b' });
    // npm run build compiles the native spawner, so the worker uses it: this is the path under test.
    assert.match(proc.output(), /capacity 4, spawn native/);
    const quick = await runOn(names.b1, 'echo "attempt $CRONFLEET_ATTEMPT"');
    const done = await until(quick, (t) => t.status === 'success', 'to succeed on the standby\'s worker');
    assert.equal(Number(done.workerId), Number(info.id));
    assert.equal(await leader.api.taskOutput(quick), 'attempt 1\n');

    const marker = `${RUN_ID}-tree`;
    const tree = await runOn(names.b1, 'sleep 300 & sleep 300', marker);
    await until(tree, (t) => t.status === 'running', 'to run');
    const group = await groupOf(marker);
    await waitFor(() => liveProcessesInGroup(group).filter((p) => p.argv[0] === 'sleep').length === 2, { timeoutMs: 10_000, what: 'both sleeps to start' });
    const detail = await waitFor(async () => {
      const d = await leader.api.getWorker(info.id);
      return d.stats && d.tasks.some((t) => t.rssBytes) && d;
    }, { timeoutMs: 10_000, what: 'b1 to report its figures, with the running task\'s memory', details: logs });
    assert.deepEqual(detail.tasks.map((t) => [t.id, t.status]), [[tree, 'running']]);
    assert.ok(detail.tasks[0].rssBytes! > 0);
    assert.ok(detail.stats!.loadPerCpu >= 0 && detail.stats!.rssBytes > 0 && detail.stats!.hostTotalMemoryBytes > 0, JSON.stringify(detail.stats));
    const res = await leader.api.killTask(tree);
    assert.deepEqual({ action: res.action, confirmed: res.confirmed }, { action: 'kill', confirmed: true });
    const killed = await until(tree, (t) => t.status === 'killed', 'to be killed');
    assert.equal(killed.control?.state, 'confirmed');
    await groupGone(group);
    const again = await expectApiError(leader.api.killTask(tree), 409);
    assert.match(again.text, /already finished \(killed\)/);
  });

  it('stops with SIGTERM, escalating to SIGKILL after the grace for a task that ignores it', async () => {
    const polite = await runOn(names.b1, 'sleep 300; echo', `${RUN_ID}-polite`);
    await until(polite, (t) => t.status === 'running', 'to run');
    const politeGroup = await groupOf(`${RUN_ID}-polite`);
    await leader.api.stopTask(polite, 30);
    const ended = await until(polite, (t) => t.status === 'killed', 'to end on SIGTERM');
    assert.equal(ended.signal, 'SIGTERM');

    const stubborn = await runOn(names.b1, 'trap "" TERM; sleep 300; echo', `${RUN_ID}-stubborn`);
    await until(stubborn, (t) => t.status === 'running', 'to run');
    const stubbornGroup = await groupOf(`${RUN_ID}-stubborn`);
    await standby.api.stopTask(stubborn, 1);
    const forced = await until(stubborn, (t) => t.status === 'killed', 'to be killed after the grace');
    assert.equal(forced.signal, 'SIGKILL');
    await groupGone(politeGroup);
    await groupGone(stubbornGroup);
  });

  it('answers 504 and records it when the worker does not confirm a kill in time', async () => {
    const id = await runOn(names.b1, 'sleep 300; echo', `${RUN_ID}-unconfirmed`);
    await until(id, (t) => t.status === 'running', 'to run');
    const group = await groupOf(`${RUN_ID}-unconfirmed`);
    const b1 = procs.find((p) => p.label.endsWith(names.b1))!;
    b1.child.kill('SIGSTOP');
    try {
      const e = await expectApiError(leader.api.killTask(id), 504);
      assert.match(e.text, /did not confirm/);
      assert.equal((await taskOf(id)).control?.state, 'unconfirmed');
    } finally {
      b1.child.kill('SIGCONT');
    }
    // Stopped for longer than three heartbeats, it may also have been declared offline (task lost);
    // either way, once it runs again, nothing of the task may survive: it acts on the kill it had
    // received, or is told to kill the task the server ended when it says hello again.
    await until(id, (t) => t.status === 'killed' || t.status === 'lost', 'to end once the worker runs again');
    await groupGone(group);
    await waitFor(async () => (await leader.api.listWorkers()).items.find((w) => w.name === names.b1)?.status === 'online', { timeoutMs: 20_000, what: 'b1 online again', details: logs });
  });

  it('declares the task of a SIGKILLed worker lost and retries it on another worker of the pool', async () => {
    const a1 = await worker(leader, names.a1, { pool: 'x' });
    const { proc: victim, info: x2 } = await worker(standby, names.x2, { pool: 'x' });
    // Only x2 may take attempt 1 (a1 is drained); the retry goes to a1 once undrained.
    await leader.api.drainWorker(a1.info.id);
    const job = await standby.api.createCronJob({
      name: `fleet-retry-${randomId()}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'if [ "$CRONFLEET_ATTEMPT" = 1 ]; then sleep 300; fi; echo "ran attempt $CRONFLEET_ATTEMPT"', `${RUN_ID}-victim`] },
      workerSelector: { labels: { pool: 'x' } },
      retry: { maxRetries: 2, backoff: 'fixed', delaySeconds: 0, jitter: false },
    });
    const first = (await leader.api.runCronJob(job.id)).taskId;
    await until(first, (t) => t.status === 'running' && Number(t.workerId) === Number(x2.id), 'to run on x2');
    const victimGroup = await groupOf(`${RUN_ID}-victim`);
    await leader.api.drainWorker(a1.info.id, false);
    victim.child.kill('SIGKILL');
    const lost = await until(first, (t) => t.status === 'lost', 'to be declared lost after three silent heartbeats');
    assert.match(JSON.stringify(lost.error), /lost/i);
    assert.equal((await leader.api.getWorker(x2.id)).status, 'offline');
    const retry = await waitFor(async () => (await leader.api.listTasks({ cronjobId: job.id })).items.find((t) => t.attempt === 2 && t.status === 'success'), {
      timeoutMs: 20_000,
      what: 'the retry to succeed',
      details: logs,
    });
    assert.equal(Number(retry.workerId), Number(a1.info.id), 'the retry ran on the other worker');
    assert.equal(await leader.api.taskOutput(retry.id), 'ran attempt 2\n');
    // The SIGKILLed worker's task outlived it in its own process group: nobody's to reap but ours.
    process.kill(-victimGroup, 'SIGKILL');
  });

  it('refuses a second worker process with a name already connected, and a worker whose clock is off by more than 5 s', async () => {
    const twin = startWorker(leader, names.b1);
    procs.push(twin);
    assert.ok(await twin.waitForExit(20_000), 'the twin exits');
    assert.equal(twin.child.exitCode, 1);
    assert.match(twin.output(), /WorkerNameTaken: a worker named '.*' is already connected/);

    const { ack, socket } = await sayWorkerHello(leader, { name: `fleet-skewed-${suffix}`, hostname: 'skewed', clockMs: Date.now() - 60_000 });
    try {
      assert.equal(ack.ok, false);
      assert.equal(ack.error?.code, 'ClockSkew');
      assert.match(ack.error!.message, /60\.\d s behind the server's \(at most 5 s allowed\)/);
    } finally {
      socket.disconnect();
    }
  });

  it('skips a due time no worker could take within startingDeadlineSeconds, saying why it waited', async () => {
    const job = await leader.api.createCronJob({
      name: `fleet-nobody-${randomId()}`,
      schedule: '@every 1s',
      runner: 'command',
      spec: { command: 'true' },
      workerSelector: { labels: { pool: 'nobody' } },
      startingDeadlineSeconds: 1,
    });
    const skipped = await waitFor(async () => (await leader.api.listTasks({ cronjobId: job.id })).items.find((t) => t.status === 'skipped'), {
      timeoutMs: 15_000,
      what: 'a due time skipped at its starting deadline',
      details: logs,
    });
    await leader.api.updateCronJob(job.id, { enabled: false });
    const error = skipped.error as { code: string; message: string };
    assert.equal(error.code, 'StartingDeadlineExceeded');
    assert.match(error.message, /not started within startingDeadlineSeconds \(1 s\).*no online worker matches selector labels \{pool=nobody\}/);
  });

  it('forgets an offline worker on DELETE, and refuses to forget one that is online', async () => {
    const workers = (await leader.api.listWorkers()).items;
    const x2 = workers.find((w) => w.name === names.x2)!;
    const b1 = workers.find((w) => w.name === names.b1)!;
    assert.equal(x2.status, 'offline');
    const refused = await expectApiError(leader.api.send('DELETE', `/workers/${b1.id}`, [204]), 409);
    assert.match(refused.text, /is online; only an offline worker can be deleted/);
    await standby.api.send('DELETE', `/workers/${x2.id}`, [204]);
    assert.equal((await leader.api.listWorkers()).items.some((w) => w.name === names.x2), false);
    await expectApiError(leader.api.getWorker(x2.id), 404);
  });

  it('sends a task the worker did not acknowledge to it again (it may have arrived), then to another worker', async () => {
    // A worker that says hello and heartbeats but never answers task:runs; its name sorts first, so
    // leastLoaded offers it the task before a1.
    const mute = io(leader.url + WORKER_NAMESPACE, { auth: { token: leader.workerToken }, transports: ['websocket'], reconnection: false });
    const offered: number[] = [];
    mute.on('task:runs', (msg: { tasks: { taskId: number }[] }) => void offered.push(...msg.tasks.map((t) => t.taskId)));
    let beat: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        mute.once('connect', () => resolve());
        mute.once('connect_error', reject);
      });
      const muteName = `fleet-a0-mute-${suffix}`;
      const ack = (await mute.timeout(10_000).emitWithAck('worker:hello', {
        name: muteName, hostname: 'mute', version: 'test', protocolVersion: PROTOCOL_VERSION, capacity: 1,
        labels: {}, runners: ['command'], runningTaskIds: [], clockMs: Date.now(), sessionId: `mute-${suffix}`,
      })) as { ok: boolean };
      assert.equal(ack.ok, true);
      beat = setInterval(() => mute.emit('worker:heartbeat', { runningTaskIds: [], atMs: Date.now(), draining: false }), 300);
      const job = await standby.api.createCronJob({
        name: `fleet-mute-${randomId()}`,
        schedule: '@yearly',
        enabled: false,
        runner: 'command',
        spec: { command: 'sh', args: ['-c', 'echo answered'] },
        workerSelector: { names: [muteName, names.a1] },
      });
      const id = (await leader.api.runCronJob(job.id)).taskId;
      const done = await until(id, (t) => t.status === 'success', 'to run on a1 after the mute worker let the acks time out', 45_000);
      // Three sends without an answer (ack timeout 3 s, each resend one timeout later), then a1.
      assert.deepEqual(offered, [id, id, id], 'the mute worker was sent the task three times before it went elsewhere');
      const a1 = (await leader.api.listWorkers()).items.find((w) => w.name === names.a1)!;
      assert.equal(Number(done.workerId), Number(a1.id));
      assert.equal(await leader.api.taskOutput(id), 'answered\n');
    } finally {
      clearInterval(beat);
      mute.disconnect();
    }
  });

  it('keeps a drained worker out of dispatch, with the reason on the waiting task', async () => {
    const a1 = (await leader.api.listWorkers()).items.find((w) => w.name === names.a1)!;
    const drained = await leader.api.drainWorker(a1.id);
    assert.equal(drained.drained, true);
    const id = await runOn(names.a1, 'echo drained');
    const waiting = await until(id, (t) => t.status === 'pending' && Boolean(t.pendingReason), 'to wait with a reason');
    assert.match(waiting.pendingReason!, /draining/);
    await standby.api.drainWorker(a1.id, false);
    await until(id, (t) => t.status === 'success', 'to run once the worker is undrained');
  });

  it('runs a broadcast job once per matching worker, each task with its shard', async () => {
    const job = await leader.api.createCronJob({
      name: `fleet-broadcast-${randomId()}`,
      schedule: '@every 2s',
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'echo "$CRONFLEET_SHARD_INDEX/$CRONFLEET_SHARD_COUNT"'] },
      workerSelector: { names: [names.b1, names.a1, names.x2] },
      routing: 'broadcast',
    } as never);
    const tasks = await waitFor(async () => {
      const items = (await leader.api.listTasks({ cronjobId: job.id })).items.filter((t) => t.status === 'success');
      const first = items.length ? items[items.length - 1].scheduledAt : null;
      const same = items.filter((t) => t.scheduledAt === first);
      return same.length >= 2 && same;
    }, { timeoutMs: 20_000, what: 'a broadcast due time to run on both workers', details: logs });
    await leader.api.updateCronJob(job.id, { enabled: false });
    // x2 was SIGKILLed above: the two online workers named get one shard each, in name order (a1, b1).
    const workers = (await leader.api.listWorkers()).items;
    const idOf = (name: string) => Number(workers.find((w) => w.name === name)!.id);
    const byShard = [...tasks].sort((x, y) => x.shard!.index - y.shard!.index);
    assert.deepEqual(byShard.map((t) => t.shard), [{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    assert.deepEqual(byShard.map((t) => Number(t.workerId)), [idOf(names.a1), idOf(names.b1)]);
    assert.deepEqual(await Promise.all(byShard.map((t) => leader.api.taskOutput(t.id))), ['0/2\n', '1/2\n']);
  });

  it('delivers the result a worker kept while its server was down', async () => {
    const id = await runOn(names.b1, 'sleep 3; echo finished while cut off');
    await until(id, (t) => t.status === 'running', 'to run');
    const port = standby.port;
    // SIGKILL the standby holding b1's connection; the task ends while b1 has no server.
    standby.process.child.kill('SIGKILL');
    await standby.process.waitForExit(10_000);
    const b1 = procs.find((p) => p.label.endsWith(names.b1))!;
    await waitFor(() => b1.output().includes(`task ${id} success`), { timeoutMs: 20_000, what: 'the task to end while b1 has no server', details: logs });
    standby = await startServer({ backend: 'mysql', sharedWith: leader, env, port });
    const done = await until(id, (t) => t.status === 'success', 'to succeed from the kept result', 60_000);
    assert.equal(done.exitCode, 0);
    assert.equal(await leader.api.taskOutput(id), 'finished while cut off\n');
  });
});
