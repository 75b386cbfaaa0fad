// High availability: two real API servers on one MariaDB + Redis. The leader is SIGKILLed while 20
// jobs run every second; the standby must take over within the lease, and no due time may run twice
// or go missing beyond what the misfire policy (runOnce) allows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeakedProcesses, randomId, startServer, startWorker, waitFor, type Task, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

const LEASE_SECONDS = 3;
const JOBS = 20;
type SchedulerStatus = { leader: string | null; instanceId: string; isLeader: boolean; epoch: number | null };

describe('two API servers sharing MariaDB and Redis', { timeout: 180_000 }, () => {
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  const workers: TestProcess[] = [];
  const env = { CRONFLEET_LEASE_SECONDS: String(LEASE_SECONDS) };
  const logs = (): string => [a?.process.report(), b?.process.report(), ...workers.map((w) => w.report(2000))].filter(Boolean).join('\n');
  const status = (s: TestServer) => s.api.call<SchedulerStatus>('GET', '/scheduler', [200]);

  before(async () => {
    a = await startServer({ backend: 'mysql', env });
    await waitFor(async () => (await status(a!)).isLeader, { timeoutMs: 15_000, what: 'the first server to lead', details: logs });
    b = await startServer({ backend: 'mysql', sharedWith: a, env });
    // One worker on each server: the leader dispatches to both, to the standby's through Redis.
    workers.push(startWorker(a, `e2e-ha-a-${randomId()}`, { capacity: 40 }), startWorker(b, `e2e-ha-b-${randomId()}`, { capacity: 40 }));
    await waitForWorkerOnline(b!.api, { count: 2, timeoutMs: 15_000, what: 'both workers online', details: logs });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await b?.stop();
    await a?.stop();
    assertNoLeakedProcesses();
  });

  it('hands dispatch to the standby within the lease when the leader is SIGKILLed, running each due time at most once and none lost beyond runOnce', async (t) => {
    const ids: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const j = await b!.api.createCronJob({ name: `ha-${i}-${randomId()}`, schedule: '@every 1s', runner: 'command', spec: { command: 'sh', args: ['-c', 'echo $CRONFLEET_TASK_ID'] } });
      ids.push(j.id);
    }
    const [sa, sb] = [await status(a!), await status(b!)];
    assert.equal(sa.isLeader, true);
    assert.equal(sb.isLeader, false, 'exactly one leader');
    assert.equal(sb.leader, sa.instanceId, 'the standby knows who leads');
    await new Promise((r) => setTimeout(r, 4000));

    const killedAt = Date.now();
    a!.process.child.kill('SIGKILL');
    const takeover = await waitFor(async () => {
      const s = await status(b!);
      return s.isLeader && s;
    }, { timeoutMs: (LEASE_SECONDS + 10) * 1000, what: 'the standby to take over', details: logs });
    const takeoverMs = Date.now() - killedAt;
    t.diagnostic(`takeover after SIGKILL of the leader: ${takeoverMs} ms (lease ${LEASE_SECONDS} s)`);
    assert.ok(takeoverMs <= (LEASE_SECONDS + 2) * 1000, `takeover took ${takeoverMs} ms, lease is ${LEASE_SECONDS} s`);
    assert.ok(takeover.epoch! > sa.epoch!, 'the new leader has a higher epoch');
    await new Promise((r) => setTimeout(r, 4000));
    for (const id of ids) await b!.api.updateCronJob(id, { enabled: false });

    for (const id of ids) {
      const tasks: Task[] = (await b!.api.listTasks({ cronjobId: id, limit: 500 })).items;
      const times = tasks.map((t) => Date.parse(t.scheduledAt!)).sort((x, y) => x - y);
      assert.equal(new Set(times).size, times.length, `job ${id}: a due time has two tasks`);
      const gaps = times.slice(1).map((t, i) => t - times[i]).filter((d) => d !== 1000);
      // runOnce: the due times missed during the handover collapse into one run, so the sequence has
      // at most one gap, no longer than the lease plus the takeover.
      assert.ok(gaps.length <= 1, `job ${id}: more than one gap in its due times: ${JSON.stringify(gaps)}\n${logs()}`);
      assert.ok(gaps.every((g) => g > 1000 && g <= (LEASE_SECONDS + 4) * 1000), `job ${id}: gap ${gaps} ms`);
      assert.ok(times.some((t) => t > killedAt), `job ${id}: nothing ran after the takeover`);
      for (const task of tasks.filter((x) => x.status === 'success').slice(0, 3)) {
        assert.equal(await b!.api.taskOutput(task.id), `${task.id}\n`, `task ${task.id} ran exactly once`);
      }
    }
  });
});
