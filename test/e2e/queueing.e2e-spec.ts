// Tasks wait for a worker: with none connected, or none with free capacity, a task stays pending and
// runs as soon as a worker connects or frees up. And a worker with a wrong token is turned away.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoLeakedProcesses,
  randomId,
  startServer,
  startWorker,
  type Task,
  type TestProcess,
  type TestServer,
  waitForTaskEnd,
} from './helpers';

for (const backend of ['embedded', 'mysql'] as const) {
  describe(`tasks waiting for workers on the ${backend} backend`, { timeout: 90_000 }, () => {
    let server: TestServer | undefined;
    const workers: TestProcess[] = [];
    const srv = (): TestServer => {
      assert.ok(server, 'the server did not start (see before)');
      return server;
    };
    const logs = (): string => [server?.process.report(), ...workers.map((w) => w.report())].filter(Boolean).join('\n');
    const waitForEnd = (id: number): Promise<Task> => waitForTaskEnd(srv().api, id, { timeoutMs: 20_000, details: logs });

    before(async () => {
      server = await startServer({ backend });
    });
    after(async () => {
      for (const w of workers) await w.stop();
      await server?.stop();
      assertNoLeakedProcesses();
    });

    it('keeps tasks pending while no worker is connected, then runs them one at a time on a worker of capacity 1', async () => {
      const job = await srv().api.createCronJob({
        name: `queued-${randomId()}`,
        schedule: '0 0 1 1 *',
        runner: 'command',
        spec: { command: 'sh', args: ['-c', 'sleep 0.5; echo ran $CRONFLEET_TASK_ID'] },
      });
      const { taskId: first } = await srv().api.runCronJob(job.id);
      const { taskId: second } = await srv().api.runCronJob(job.id);
      for (const id of [first, second]) {
        const t = await srv().api.getTask(id);
        assert.equal(t.status, 'pending', `task ${id} waits while no worker is connected`);
        assert.equal(t.workerId, null);
      }

      workers.push(startWorker(srv(), `e2e-cap1-${randomId()}`, { capacity: 1 }));
      const [a, b] = [await waitForEnd(first), await waitForEnd(second)];
      assert.equal(a.status, 'success', logs());
      assert.equal(b.status, 'success', logs());
      assert.equal(await srv().api.taskOutput(first), `ran ${first}\n`);
      // Capacity 1: the later task starts only after the earlier one has finished.
      const [earlier, later] = Date.parse(a.startedAt!) <= Date.parse(b.startedAt!) ? [a, b] : [b, a];
      assert.ok(Date.parse(later.startedAt!) >= Date.parse(earlier.finishedAt!), `tasks overlapped on a worker of capacity 1: ${JSON.stringify([a, b])}`);
    });

    it('turns away a worker with a wrong token, which exits with a clear message instead of retrying', async () => {
      const name = `e2e-badtoken-${randomId()}`;
      const bad = startWorker(srv(), name, { token: `not-the-token-${randomId(8)}` });
      workers.push(bad);
      assert.equal(await bad.waitForExit(15_000), true, `the worker kept running with a wrong token\n${bad.report()}`);
      assert.equal(bad.child.exitCode, 1);
      assert.match(bad.output(), /InvalidToken/);
      assert.ok(!bad.output().includes(srv().workerToken), 'the real token never appears in its output');
      const listed = (await srv().api.listWorkers()).items.map((w) => w.name);
      assert.ok(!listed.includes(name), 'a refused worker is not registered');
    });
  });
}
