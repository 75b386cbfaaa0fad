// What docs/rest.md (Limits) and the schemas allow is what both databases hold (issue 17): each documented
// maximum sent to a server on MySQL and one on SQLite, read back whole; one past it refused with a
// 400 naming the field. Names compare exactly, byte for byte, on both. Worker rows too: a raw
// worker hello (and heartbeat) as large as the socket protocol lets one be.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import type { WorkerStats } from '@cronfleet/shared';
import { SOCKET_SERVER_OPTIONS } from '../../apiserver/src/common/socket-server-options';
import { assertNoLeakedProcesses, type Backend, errorBody, expectApiError, messageText, randomId, sayWorkerHello, startServer, type TestServer, waitFor } from './helpers';

const MiB = 1024 * 1024;
/** The largest body the server may be configured to take (CRONFLEET_MAX_BODY_BYTES at its most). */
const MAX_BODY = 4 * MiB;
const ENV_VALUE_MAX = 32_768;

interface Job {
  id: number;
  name: string;
  spec: Record<string, unknown>;
  env?: Record<string, string> | null;
}

/** Room left in one socket message for the rest of a hello and socket.io's framing. */
const MESSAGE_BUDGET = SOCKET_SERVER_OPTIONS.maxHttpBufferSize - 64 * 1024;
/** A worker name at its limit (128 characters), starting with `prefix`. */
const workerName = (prefix: string): string => `${prefix}-${'w'.repeat(127 - prefix.length)}`;

/** An env of values at their maximum length, filling about `bytes` of JSON. */
const bigEnv = (bytes: number, fill: string): Record<string, string> =>
  Object.fromEntries(Array.from({ length: Math.floor(bytes / (ENV_VALUE_MAX + 16)) }, (_, i) => [`V${i}`, fill.repeat(ENV_VALUE_MAX)]));

for (const backend of ['mysql', 'embedded'] as Backend[]) {
  describe(`documented limits and exact names (${backend === 'mysql' ? 'MySQL' : 'SQLite'})`, { timeout: 300_000 }, () => {
    let server: TestServer;
    const tag = randomId(3);
    const job = (name: string, extra: Record<string, unknown>) =>
      server.api.call<Job>('POST', '/cronjobs', [201], { name, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' }, ...extra });
    const read = (id: number) => server.api.call<Job>('GET', `/cronjobs/${id}`, [200]);
    const refusal = async (request: Promise<unknown>, status: number): Promise<string> => messageText(errorBody(await expectApiError(request, status)));

    before(async () => {
      server = await startServer({ backend, env: { CRONFLEET_MAX_BODY_BYTES: String(MAX_BODY) } });
    });
    after(async () => {
      await server?.stop();
      assertNoLeakedProcesses();
    });

    it('keeps a script job with 1 MiB of content, and its change in the job versions', async () => {
      const content = 'é'.repeat(MiB / 2) + 'x'.repeat(MiB / 2);
      const made = await job(`script-${tag}`, { runner: 'script', spec: { interpreter: 'sh', content } });
      assert.equal((await read(made.id)).spec.content, content);
      const changed = 'y'.repeat(MiB);
      await server.api.call('PATCH', `/cronjobs/${made.id}`, [200], { spec: { interpreter: 'sh', content: changed } });
      assert.equal((await read(made.id)).spec.content, changed);
      const version = await server.api.call<{ definition: { spec: { content: string } }; changes: { field: string }[] }>('GET', `/cronjobs/${made.id}/versions/2`, [200]);
      assert.equal(version.definition.spec.content, changed);
      assert.deepEqual(version.changes.map((c) => c.field), ['spec.content']);
      assert.match(await refusal(job(`script-over-${tag}`, { runner: 'script', spec: { interpreter: 'sh', content: 'x'.repeat(MiB + 1) } }), 400), /spec\.content/);
    });

    it('keeps a one-shot task with a 1 MiB script', async () => {
      const content = `# ${'z'.repeat(MiB - 2)}`;
      const { taskId } = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'script', spec: { interpreter: 'sh', content }, delaySeconds: 366 * 86_400 - 1 });
      // The task view does not show the spec: that the row was written (202, not 500) and reads back is the point.
      const read = await server.api.call<{ id: number; status: string }>('GET', `/tasks/${taskId}`, [200]);
      assert.deepEqual([read.id, read.status], [taskId, 'pending']);
    });

    it('keeps a job env filling the largest request body, changed to another as large', async () => {
      const env = bigEnv(MAX_BODY - 64 * 1024, 'a');
      const made = await job(`env-${tag}`, { env });
      assert.deepEqual((await read(made.id)).env, env);
      // The version row then carries the whole env three times: definition, before, after.
      const other = bigEnv(MAX_BODY - 64 * 1024, 'b');
      await server.api.call('PATCH', `/cronjobs/${made.id}`, [200], { env: other });
      assert.deepEqual((await read(made.id)).env, other);
      assert.match(await refusal(job(`env-over-${tag}`, { env: { V: 'x'.repeat(ENV_VALUE_MAX + 1) } }), 400), /env\.V/);
    });

    it('keeps a spec env of 100,000 keys', async () => {
      const env = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`K${i}`, String(i)]));
      const made = await job(`keys-${tag}`, { spec: { command: 'true', env } });
      assert.equal(Object.keys((await read(made.id)).spec.env as object).length, 100_000);
    });

    it('keeps an http job with a 1 MiB request body and refuses a larger one naming spec.body', async () => {
      const body = 'b'.repeat(MiB);
      const made = await job(`http-${tag}`, { runner: 'http', spec: { method: 'POST', url: 'http://127.0.0.1:9/x', body } });
      assert.equal((await read(made.id)).spec.body, body);
      assert.match(await refusal(job(`http-over-${tag}`, { runner: 'http', spec: { method: 'POST', url: 'http://127.0.0.1:9/x', body: `${body}b` } }), 400), /spec\.body/);
    });

    it("keeps a plugin runner's spec of 64 KiB and refuses a larger one naming spec", async () => {
      const spec = { blob: 'p'.repeat(64 * 1024 - 20) };
      assert.ok(JSON.stringify(spec).length <= 64 * 1024);
      const made = await job(`plugin-${tag}`, { runner: 'my-plugin', spec });
      assert.deepEqual((await read(made.id)).spec, spec);
      assert.match(await refusal(job(`plugin-over-${tag}`, { runner: 'my-plugin', spec: { blob: 'p'.repeat(64 * 1024) } }), 400), /spec/);
    });

    it('keeps 1000 args as long as the body allows', async () => {
      const args = Array.from({ length: 1000 }, () => 'q'.repeat(Math.floor((MAX_BODY - 64 * 1024) / 1000) - 4));
      const made = await job(`args-${tag}`, { spec: { command: 'true', args } });
      assert.deepEqual((await read(made.id)).spec.args, args);
    });

    it('keeps a workflow whose step carries a 1 MiB script and a 2000-character description', async () => {
      const content = 'w'.repeat(MiB);
      const description = 'd'.repeat(2000);
      const name = `wf-${tag}-${'n'.repeat(190)}`.slice(0, 200);
      await server.api.call('POST', '/workflows', [201], { name, description, steps: [{ id: 'one', runner: 'script', spec: { interpreter: 'sh', content } }] });
      const read = await server.api.call<{ description: string; steps: { spec: { content: string } }[] }>('GET', `/workflows/${encodeURIComponent(name)}`, [200]);
      assert.equal(read.description, description);
      assert.equal(read.steps[0].spec.content, content);
    });

    it('keeps a trigger list of 20 entries, each giving 20 param values of 4 KiB, and refuses a 21st value naming it', async () => {
      const params = Array.from({ length: 20 }, (_, i) => ({ name: `P${i}` }));
      const targets = await Promise.all(Array.from({ length: 20 }, (_, i) => job(`trg-${tag}-${i}`, { params })));
      const values = (c: string) => Object.fromEntries(params.map((p) => [p.name, c.repeat(4096)]));
      const triggers = { onSuccess: targets.map((t, i) => ({ job: t.name, params: values(String.fromCharCode(97 + i)) })) };
      const made = await job(`triggers-${tag}`, { triggers });
      assert.deepEqual((await read(made.id) as unknown as { triggers: unknown }).triggers, triggers);
      const over = { onSuccess: [{ job: targets[0].name, params: { ...values('z'), P20: 'x' } }] };
      assert.match(await refusal(job(`triggers-over-${tag}`, { triggers: over }), 400), /^triggers\.onSuccess\.0\.params: must give at most 20 values/);
    });

    describe('worker rows', () => {
      const sockets: Socket[] = [];
      after(() => {
        for (const s of sockets) s.disconnect();
      });
      const hello = async (fields: Record<string, unknown>) => {
        const { ack, socket } = await sayWorkerHello(server, fields);
        sockets.push(socket);
        return { ack, socket };
      };
      const worker = (id: number) => server.api.call<{ name: string; labels: Record<string, string>; runners: string[]; stats: WorkerStats | null }>('GET', `/workers/${id}`, [200]);

      it('keeps a hello whose labels fill a socket message, and one whose runners do', async () => {
        // Keys of 63 and values of 255 characters (the schema's most), as many as one message carries.
        const label = (i: number): [string, string] => [`k${String(i).padStart(62, '0')}`, `v${String(i).padStart(254, '0')}`];
        const labels = Object.fromEntries(Array.from({ length: Math.floor(MESSAGE_BUDGET / (63 + 255 + 6)) }, (_, i) => label(i)));
        const runners = ['command', ...Array.from({ length: Math.floor(MESSAGE_BUDGET / (64 + 3)) - 1 }, (_, i) => `r${String(i).padStart(63, '0')}`)];
        for (const [name, fields] of [[workerName(`labels-${tag}`), { labels }], [workerName(`runners-${tag}`), { runners }]] as const) {
          assert.ok(JSON.stringify(fields).length <= MESSAGE_BUDGET);
          const { ack } = await hello({ name, ...fields });
          assert.equal(ack.ok, true, JSON.stringify(ack.error));
          const back = await worker(ack.workerId!);
          assert.equal(back.name, name);
          assert.deepEqual('labels' in fields ? back.labels : back.runners, 'labels' in fields ? fields.labels : fields.runners);
        }
      });

      it("keeps a heartbeat's stats at the schema's most: 10,000 tasks and a 2000-character last error", async () => {
        const { ack, socket } = await hello({ name: workerName(`stats-${tag}`) });
        assert.equal(ack.ok, true, JSON.stringify(ack.error));
        const big = Number.MAX_SAFE_INTEGER;
        const stats: WorkerStats = {
          loadPerCpu: 1e300,
          rssBytes: big,
          hostFreeMemoryBytes: big,
          hostTotalMemoryBytes: big,
          lastError: { atMs: big, code: 'E'.repeat(128), message: 'é'.repeat(2000) },
          tasks: Array.from({ length: 10_000 }, (_, i) => ({ taskId: big - i, rssBytes: big })),
        };
        socket.emit('worker:heartbeat', { runningTaskIds: [], atMs: Date.now(), draining: false, stats });
        const back = await waitFor(async () => (await worker(ack.workerId!)).stats, { timeoutMs: 20_000, what: 'the stats stored', details: () => server.process.report() });
        assert.deepEqual(back, stats);
      });

      it('treats worker names that differ only in case or in an emoji as different workers', async () => {
        const names = [`Case-${tag}`, `case-${tag}`, `emo-${tag}-😀`, `emo-${tag}-🙂`];
        const ids: number[] = [];
        for (const name of names) {
          const { ack } = await hello({ name, keepsCredential: true });
          assert.equal(ack.ok, true, `${name}: ${JSON.stringify(ack.error)}`);
          assert.ok(ack.credential, `${name} enrolled under its own name`);
          ids.push(ack.workerId!);
        }
        assert.equal(new Set(ids).size, names.length, 'four workers');
        for (const [i, id] of ids.entries()) assert.equal((await worker(id)).name, names[i]);
        const listed = (await server.api.listWorkers()).items.filter((w) => names.includes(w.name));
        assert.deepEqual(listed.map((w) => w.name).sort(), [...names].sort());
        // Still one worker per name where the bytes are equal.
        const again = await hello({ name: `case-${tag}`, keepsCredential: true });
        assert.deepEqual([again.ack.ok, again.ack.error?.code], [false, 'WorkerNameTaken']);
      });
    });

    it('treats names that differ only in case or in an emoji as different jobs, workflows and tokens', async () => {
      const a = await job(`Case-${tag}`, {});
      const b = await job(`case-${tag}`, {});
      assert.notEqual(a.id, b.id);
      const wf = (name: string) => server.api.call('POST', '/workflows', [201], { name, steps: [{ id: 'one', runner: 'command', spec: { command: 'true' } }] });
      await wf(`emo-${tag}-😀`);
      await wf(`emo-${tag}-🙂`);
      await wf(`Wf-${tag}`);
      await wf(`wf-${tag}`);
      const got = await server.api.call<{ name: string }>('GET', `/workflows/${encodeURIComponent(`emo-${tag}-🙂`)}`, [200]);
      assert.equal(got.name, `emo-${tag}-🙂`);
      await expectApiError(server.api.call('GET', `/workflows/${encodeURIComponent(`emo-${tag}-🙃`)}`, [200]), 404);
      await expectApiError(server.api.call('GET', `/workflows/${encodeURIComponent(`WF-${tag}`)}`, [200]), 404);
      const token = (name: string) => server.api.call('POST', '/tokens', [201], { name, role: 'viewer' });
      await token(`Reader-${tag}`);
      await token(`reader-${tag}`);
      // Still unique where the bytes are equal.
      await expectApiError(job(`Case-${tag}`, {}), 409);
    });
  });
}
