// Task output and environment end to end, on the embedded backend with a real worker: the job's env
// and secretEnv reach the task; secrets are never returned by the API, stored in clear, logged, or
// shown in output; output beyond a job's cap keeps its first and last halves with a marker; and
// `GET /tasks/:id/output?follow=true` streams a running task's output live (SSE) until it ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FINAL_TASK_STATUSES,
  assertNoLeakedProcesses,
  randomId,
  startServer,
  startWorker,
  waitFor,
  type Task,
  type TestProcess,
  type TestServer,
  waitForTaskEnd, waitForWorkerOnline } from './helpers';

const SECRET = `s3cret-${randomId(8)}`;

describe('task output and environment', { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const waitForEnd = (id: number, timeoutMs = 30_000): Promise<Task> => waitForTaskEnd(server.api, id, { timeoutMs, details: logs });
  const runScript = async (script: string, extra: Record<string, unknown> = {}): Promise<number> => {
    const job = await server.api.createCronJob({
      name: `output-${randomId()}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', script] },
      ...extra,
    });
    return (await server.api.runCronJob(job.id)).taskId;
  };

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `e2e-output-${randomId()}`);
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('gives the task the job\'s env and secretEnv, and keeps the secret out of the API, the database file, the logs and the output', async () => {
    const job = await server.api.createCronJob({
      name: `secret-${randomId()}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      // The task proves it got the value without the test putting it anywhere else: its length and prefix.
      spec: { command: 'sh', args: ['-c', `echo "$GREETING $API_TOKEN"; [ \${#API_TOKEN} -eq ${SECRET.length} ] && case "$API_TOKEN" in s3cret-*) echo secret-ok;; esac`] },
      env: { GREETING: 'hello' },
      secretEnv: { API_TOKEN: SECRET },
    });
    const shown = JSON.stringify(job);
    assert.ok(!shown.includes(SECRET), `the job as returned holds the secret: ${shown}`);
    assert.deepEqual((job as unknown as { secretEnvKeys: string[] }).secretEnvKeys, ['API_TOKEN']);
    assert.deepEqual((job as unknown as { env: Record<string, string> }).env, { GREETING: 'hello' });
    assert.ok(!JSON.stringify(await server.api.listCronJobs()).includes(SECRET));

    const id = (await server.api.runCronJob(job.id)).taskId;
    const t = await waitForEnd(id);
    assert.equal(t.status, 'success', logs());
    assert.equal(await server.api.taskOutput(id), 'hello ***\nsecret-ok\n');
    assert.ok(!JSON.stringify(await server.api.getTask(id)).includes(SECRET));
    for (const f of readdirSync(server.dataDir)) {
      if (!/\.(db|sqlite|sqlite3)(-wal)?$/.test(f)) continue;
      assert.ok(!readFileSync(join(server.dataDir, f)).includes(SECRET), `${f} holds the secret in clear`);
    }
    assert.ok(!server.process.output(1_000_000).includes(SECRET), 'the server logged the secret');
    assert.ok(!worker.output(1_000_000).includes(SECRET), 'the worker logged the secret');
  });

  it('refuses secretEnv and env with invalid names, naming the field', async () => {
    const e = await server.api
      .send('POST', '/cronjobs', [400], { name: `bad-${randomId()}`, schedule: '@daily', runner: 'command', spec: { command: 'true' }, secretEnv: { 'NOT-A-NAME': 'x' } })
      .then((r) => r.text);
    assert.match(e, /secretEnv/);
  });

  it('keeps the first and last halves of output over the job\'s cap, with a marker of what was cut', async () => {
    // 5000 lines of 10 bytes: 50,000 bytes against a 2048-byte cap.
    const id = await runScript('i=0; while [ $i -lt 5000 ]; do printf "line %04d\\n" $i; i=$((i+1)); done', { maxOutputBytes: 2048 });
    assert.equal((await waitForEnd(id)).status, 'success');
    const text = await server.api.taskOutput(id);
    assert.ok(text.startsWith('line 0000\nline 0001\n'), text.slice(0, 50));
    assert.ok(text.endsWith('line 4998\nline 4999\n'), text.slice(-50));
    assert.match(text, /\[cronfleet: 47952 bytes of output cut here; the first 1024 and the last 1024 bytes are kept\]/);
  });

  it('streams a running task\'s output live over SSE until it ends', async () => {
    const id = await runScript('for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.3; done');
    const res = await fetch(`${server.url}/api/v1/tasks/${id}/output?follow=true`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events: { event: string; data: { seq?: number; data?: string; status?: string } }[] = [];
    let firstAt = 0;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as (typeof events)[number]['data'];
        if (event === 'output' && !firstAt) firstAt = Date.now();
        events.push({ event, data });
      }
    }
    const text = events.filter((e) => e.event === 'output').map((e) => e.data.data).join('');
    assert.equal(text, [1, 2, 3, 4, 5, 6].map((i) => `tick ${i}\n`).join(''));
    assert.deepEqual(events.at(-1), { event: 'end', data: { status: 'success' } });
    // Live: output came in several events while the task ran, not in one piece at its end.
    assert.ok(events.filter((e) => e.event === 'output').length >= 3, JSON.stringify(events));
    const task = await server.api.getTask(id);
    assert.ok(firstAt < Date.parse(task.finishedAt!), 'the first chunk arrived before the task finished');
  });

  it('does not offer a task again to a worker whose allow-list refused it, and says so on the task', async () => {
    const strict = startWorker(server, `e2e-strict-${randomId()}`, { labels: { pool: 'strict' }, extraArgs: ['--allowed-commands', 'true'] });
    try {
      await waitForWorkerOnline(server.api, { where: (w) => w.labels.pool === 'strict', timeoutMs: 20_000, what: 'the strict worker online', details: logs });
      const id = await runScript('echo never', { workerSelector: { labels: { pool: 'strict' } } });
      const waiting = await waitFor(async () => {
        const t = await server.api.getTask(id);
        return t.status === 'pending' && t.pendingReason?.startsWith('refused by') && t;
      }, { timeoutMs: 20_000, what: 'the task to wait, refused', details: () => `${logs()}
${strict.report()}` });
      assert.match(waiting.pendingReason!, /^refused by worker \d+: CommandNotAllowed: command 'sh' is not allowed on this worker/);
      await server.api.killTask(id);
      assert.equal((await server.api.getTask(id)).status, 'killed');
      // Offered once, refused once: no loop of offers.
      const refusals = server.process.output(1_000_000).split('\n').filter((l) => l.includes(`refused task ${id}:`));
      assert.equal(refusals.length, 1, refusals.join('\n'));
    } finally {
      await strict.stop();
    }
  });

  it('runs a task printing 200 MB as fast as it can without losing the worker\'s heartbeats, the server\'s memory or the end of the output', async (t) => {
    const peakRss = (pid: number): number => Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const serverBefore = peakRss(server.process.pid!);
    const started = Date.now();
    const id = await runScript('yes "cronfleet output line, padded to exactly sixty-four bytes......" | head -c 209715200; echo END-OF-OUTPUT');
    // The worker must stay online throughout: three missed heartbeats would declare it offline and its task lost.
    let offline = false;
    const done = await waitFor(async () => {
      const w = (await server.api.listWorkers()).items.find((x) => x.name.startsWith('e2e-output-'));
      if (w?.status !== 'online') offline = true;
      const task = await server.api.getTask(id);
      return FINAL_TASK_STATUSES.includes(task.status) && task;
    }, { timeoutMs: 240_000, intervalMs: 250, what: `the 200 MB task ${id} to finish`, details: logs });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(done.status, 'success', logs());
    assert.equal(offline, false, 'the worker went offline (missed heartbeats) while the task printed');
    const text = await server.api.taskOutput(id);
    assert.ok(text.endsWith('......\nEND-OF-OUTPUT\n'), text.slice(-100));
    assert.match(text, /\[cronfleet: \d+ bytes of output cut here; the first 524288 and the last 524288 bytes are kept\]/);
    const server_ = peakRss(server.process.pid!);
    const worker_ = peakRss(worker.pid!);
    t.diagnostic(`200 MiB in ${seconds.toFixed(1)} s (${(200 / seconds).toFixed(1)} MiB/s end to end); peak RSS server ${(server_ / 2 ** 20).toFixed(0)} MiB (before ${(serverBefore / 2 ** 20).toFixed(0)}), worker ${(worker_ / 2 ** 20).toFixed(0)} MiB`);
    // Bounded memory: well below the 200 MiB that went through each of them. (With 100 MiB and a
    // 100 MiB bound the server's peak grew by 48-101 MiB between runs: garbage the collector had not
    // yet taken, not output kept; the volume is what separates the two.)
    assert.ok(worker_ < 200 * 2 ** 20, `worker peak RSS ${worker_}`);
    assert.ok(server_ < serverBefore + 150 * 2 ** 20, `server peak RSS ${server_}, before ${serverBefore}`);
  });

  it('answers 404 for following a task that does not exist, and 400 for a bad follow value', async () => {
    await server.api.send('GET', '/tasks/99999999/output?follow=true', [404]);
    const bad = await server.api.send('GET', '/tasks/1/output?follow=maybe', [400]);
    assert.match(bad.text, /follow/);
  });
});
