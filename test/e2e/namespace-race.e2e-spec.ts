// Deleting a namespace while cron jobs and workflows are being created in it (issue 17): either the
// delete answers 409 or the creates fail; nothing is ever left in a namespace that no longer exists.
// Ten tries on each backend, each a delete racing three job creates and a workflow create.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeakedProcesses, type Backend, randomId, startServer, type TestServer } from './helpers';

const TRIES = 10;

for (const backend of ['mysql', 'embedded'] as Backend[]) {
  describe(`a namespace deleted while things are created in it (${backend === 'mysql' ? 'MySQL' : 'SQLite'})`, { timeout: 120_000 }, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend });
    });
    after(async () => {
      await server?.stop();
      assertNoLeakedProcesses();
    });

    it('never leaves a cron job or workflow in a namespace that is gone', async () => {
      const outcomes = new Map<string, number>();
      for (let i = 0; i < TRIES; i++) {
        const ns = `race-${i}-${randomId(3)}`;
        await server.api.call('POST', '/namespaces', [201], { name: ns });
        const job = (k: number) => server.api.send('POST', '/cronjobs', [201, 400], { name: `j${k}`, namespace: ns, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
        const workflow = server.api.send('POST', '/workflows', [201, 400], { name: 'w', namespace: ns, steps: [{ id: 'one', runner: 'command', spec: { command: 'true' } }] });
        // The delete leaves 0..9 ms after the creates, so that over the tries it lands before, among and after them.
        const del$ = new Promise<void>((r) => setTimeout(r, i)).then(() => server.api.send('DELETE', `/namespaces/${ns}`, [204, 409]));
        const [del, ...made] = await Promise.all([del$, job(1), job(2), job(3), workflow]);
        const created = made.filter((r) => r.status === 201).length;
        for (const r of made.filter((x) => x.status === 400)) assert.match(r.text, new RegExp(`no namespace '${ns}'`));
        const key = `${del.status}/${created} created`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

        const namespaces = (await server.api.call<{ items: { name: string }[] }>('GET', '/namespaces', [200])).items.map((n) => n.name);
        const jobs = (await server.api.call<{ items: { namespace: string }[] }>('GET', `/cronjobs?limit=1000`, [200])).items.filter((j) => j.namespace === ns);
        const workflows = (await server.api.call<{ items: { namespace: string }[] }>('GET', `/workflows?limit=1000`, [200])).items.filter((w) => w.namespace === ns);
        if (del.status === 204) {
          assert.ok(!namespaces.includes(ns));
          assert.deepEqual([jobs.length, workflows.length, created], [0, 0, 0], `try ${i}: deleted, yet something was created in it`);
        } else {
          assert.ok(namespaces.includes(ns));
          assert.match(del.text, /still holds/);
          assert.equal(jobs.length + workflows.length, created);
        }
      }
      // Which way each try went, for the record (not asserted: it depends on timing).
      process.stdout.write(`# ${backend}: ${JSON.stringify(Object.fromEntries(outcomes))}\n`);
    });
  });
}
