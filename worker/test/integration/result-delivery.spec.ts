import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { TaskUpdate } from '@cronfleet/shared';
import type { WorkerConfig } from '../../src/config';
import { JOURNAL_FILE, ResultSpool } from '../../src/result-spool';
import { GatewayStub, TempDirs, journaledTaskIds, leakGuard, pollUntil, spooledResults, workerConfig } from './gateway-stub';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from '../../src/worker';

/** Results survive disconnects and restarts: the disk spool as the worker uses it, against a real socket.io server. */
describe('delivery of task results', () => {
  let guard: ReturnType<typeof leakGuard>;
  const dirs = new TempDirs();
  let server: GatewayStub | null = null;
  const workers: WorkerHandle[] = [];
  let logs: string[] = [];

  before(() => {
    guard = leakGuard();
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    if (server) await server.close();
    server = null;
    logs = [];
    dirs.removeAll();
    await guard.check();
  });

  function start(s: GatewayStub, stateDir: string, config: Partial<WorkerConfig> = {}, options: StartWorkerOptions = {}): WorkerHandle {
    const w = startWorker(workerConfig(s, stateDir, config), { log: (line) => logs.push(line), ...options });
    workers.push(w);
    return w;
  }

  it('delivers a result kept on disk through a new worker on the same state dir after the first was killed before the ack', async () => {
    const s = await GatewayStub.start();
    server = s;
    const dir = dirs.make();
    s.onUpdate = (msg, ack) => {
      if (msg.status === 'running') ack({ recorded: true }); // the result is never acked: the server "crashes" first
    };
    const first = start(s, dir);
    await s.waitFor('hello', () => s.hellos.length === 1);
    await s.run(11, 'sh', '-c', 'echo out; exit 3');
    await s.waitFor('the result sent', () => s.results().length === 1);
    const sent = s.results()[0] as TaskUpdate;
    assert.equal(sent.status, 'failed');
    assert.equal(sent.exitCode, 3);
    assert.deepEqual(readdirSync(dir), [JOURNAL_FILE]);
    assert.deepEqual(journaledTaskIds(dir), [11], 'written before it was sent');

    assert.deepEqual(await first.kill(), { code: 1, reason: 'killed' });
    assert.deepEqual(spooledResults(dir), [sent], 'kept: the server never acked it');

    // (A loaded machine may have re-sent it after the 5 s ack timeout: count from here.)
    const sentBefore = s.results().length;
    let resultsAtHello = -1;
    s.helloAck = () => ((resultsAtHello = s.results().length), { ok: true, workerId: 7, heartbeatSeconds: 30 });
    s.onUpdate = (_msg, ack) => ack({ recorded: true });
    start(s, dir);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.deepEqual(s.hellos[1]?.runningTaskIds, [11], 'the worker still answers for the task, so the server does not mark it lost');
    await s.waitFor('the result again', () => s.results().length > sentBefore);
    assert.equal(resultsAtHello, sentBefore, 'sent after the hello');
    assert.deepEqual(s.results().at(-1), sent);
    await pollUntil('the removal written after the ack', () => journaledTaskIds(dir).length === 0);
    assert.ok(logs.includes('1 result(s) an earlier run did not deliver: sending them once connected'));
  });

  it('keeps at most maxResults undelivered results, dropping the oldest from disk and memory', async () => {
    const s = await GatewayStub.start();
    server = s;
    s.helloAck = () => ({ ok: true, workerId: 7, heartbeatSeconds: 0.2 });
    s.onUpdate = (msg, ack) => {
      if (msg.status === 'running') ack({ recorded: true });
    };
    const dir = dirs.make();
    start(s, dir, {}, { resultSpool: { maxResults: 2 } });
    await s.waitFor('hello', () => s.hellos.length === 1);
    for (const id of [1, 2, 3]) {
      await s.run(id, 'true');
      await s.waitFor(`result ${id}`, () => s.results().some((r) => r.taskId === id));
    }
    assert.deepEqual(journaledTaskIds(dir), [2, 3]);
    assert.ok(logs.some((l) => l.endsWith('dropped the 1 oldest undelivered result(s) (task 1)')), logs.join('\n'));
    await s.waitFor('a heartbeat with the drop as last error', () => s.heartbeats.some((h) => h.stats?.lastError?.code === 'ResultsDropped'));

    s.onUpdate = (_msg, ack) => ack({ recorded: true });
    const sentBefore = s.results().length;
    s.live.disconnect(true);
    await s.waitFor('second hello', () => s.hellos.length === 2);
    assert.deepEqual(s.hellos[1]?.runningTaskIds, [2, 3]);
    await pollUntil('both delivered', () => journaledTaskIds(dir).length === 0);
    assert.deepEqual(s.results().slice(sentBefore).map((r) => r.taskId), [2, 3], 'the dropped result is not re-sent');
  });

  it('re-sends a result the server did not record, and keeps it on disk until it is', async () => {
    const s = await GatewayStub.start();
    server = s;
    let refusals = 0;
    s.onUpdate = (msg, ack) => ack({ recorded: msg.status === 'running' || refusals++ > 0 });
    const dir = dirs.make();
    start(s, dir);
    await s.waitFor('hello', () => s.hellos.length === 1);
    await s.run(4, 'true');
    await s.waitFor('the result refused once, then sent again', () => s.results().length === 2);
    assert.deepEqual(s.results()[0], s.results()[1]);
    assert.ok(logs.includes('task 4: the server did not record its success result; re-sending in 1 s'), logs.join('\n'));
    await pollUntil('the removal written', () => journaledTaskIds(dir).length === 0);
  });

  it('sends at most 100 results at once after a restart, the rest as acks come back', async () => {
    const dir = dirs.make();
    const { spool } = ResultSpool.open(dir, { log: () => {} });
    for (let id = 1; id <= 150; id++) spool.save({ taskId: id, status: 'success', atMs: 1_700_000_000_000 + id, exitCode: 0, signal: null, error: null });
    spool.close();

    const s = await GatewayStub.start();
    server = s;
    const held: Array<() => void> = [];
    s.onUpdate = (_msg, ack) => held.push(() => ack({ recorded: true }));
    start(s, dir);
    await s.waitFor('hello', () => s.hellos.length === 1);
    assert.equal(s.hellos[0]?.runningTaskIds.length, 150);
    await s.waitFor('100 results', () => s.results().length === 100);
    // socket.io keeps order: once this answer is back, every result sent before it has arrived.
    assert.deepEqual(await s.stop(999, 1), { found: false });
    assert.equal(s.results().length, 100);
    assert.deepEqual(s.results().map((r) => r.taskId), Array.from({ length: 100 }, (_, i) => i + 1), 'oldest first');

    s.onUpdate = (_msg, ack) => ack({ recorded: true });
    for (const release of held.splice(0)) release();
    await s.waitFor('all 150', () => s.results().length === 150);
    await pollUntil('the spool emptied', () => journaledTaskIds(dir).length === 0);
  });
});
