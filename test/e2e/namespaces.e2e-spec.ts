// Namespaces end to end (issue 9) on MySQL + Redis with real workers: namespaces with quotas, names
// unique per namespace, a token scoped to one namespace seeing and acting only there, a worker serving
// one namespace, the concurrency quota holding tasks back, and deleting only an empty namespace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, type SseMessage as SseEvent } from '../../client/src/sse-parser';
import {
  type ApiClient,
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  messageText,
  randomId,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type Task,
  type TestProcess,
  type TestServer, waitForWorkerOnline } from './helpers';

interface NamespaceView {
  name: string;
  description: string | null;
  maxJobs: number | null;
  maxConcurrentTasks: number | null;
  usage: { jobs: number; workflows: number; runningTasks: number };
}

interface Job {
  id: number;
  name: string;
  namespace: string;
}

describe('namespaces (MySQL + Redis, real workers)', { timeout: 300_000 }, () => {
  let server: TestServer;
  const workers: TestProcess[] = [];
  const tag = randomId(3);
  // Namespaces are DNS labels: lower-case, unique to this run.
  const teamA = `team-a-${tag}`;
  const teamB = `team-b-${tag}`;
  const logs = (): string => [server?.process.report(), ...workers.map((w) => w.report())].filter(Boolean).join('\n');
  let scoped: ApiClient;

  const createNamespace = (body: Record<string, unknown>) => server.api.call<NamespaceView>('POST', '/namespaces', [201], body);
  const job = (api: ApiClient, name: string, extra: Record<string, unknown> = {}) =>
    api.call<Job>('POST', '/cronjobs', [201], { name, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' }, ...extra });
  const refusal = async (request: Promise<unknown>, status: number): Promise<string> => messageText(errorBody(await expectApiError(request, status)));

  before(async () => {
    server = await startServer({ backend: 'mysql' });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('creates namespaces with quotas, and refuses bad ones with a 400 naming the field', async () => {
    const a = await createNamespace({ name: teamA, description: 'team A', maxJobs: 2, maxConcurrentTasks: 1 });
    assert.deepEqual([a.name, a.maxJobs, a.maxConcurrentTasks, a.usage], [teamA, 2, 1, { jobs: 0, workflows: 0, runningTasks: 0 }]);
    await createNamespace({ name: teamB });
    for (const [body, field, why] of [
      [{ name: 'Team_A' }, 'name', 'lower-case'],
      [{ name: 'x'.repeat(64) }, 'name', 'DNS label'],
      [{ name: `q-${tag}`, maxJobs: -1 }, 'maxJobs', 'at least 0'],
      [{ name: `q-${tag}`, maxConcurrentTasks: 1.5 }, 'maxConcurrentTasks', 'whole number'],
      [{ name: `q-${tag}`, color: 'red' }, 'color', ''],
    ] as const) {
      const message = await refusal(createNamespace(body), 400);
      assert.ok(message.includes(field) && message.includes(why), `${JSON.stringify(body)}: ${message}`);
    }
    assert.match(await refusal(createNamespace({ name: teamA }), 409), /already exists/);
    assert.match(await refusal(job(server.api, `nowhere-${tag}`, { namespace: `nosuch-${tag}` }), 400), /^namespace: no namespace 'nosuch-/);
    const names = (await server.api.call<{ items: NamespaceView[] }>('GET', '/namespaces', [200])).items.map((n) => n.name);
    assert.ok(names.includes('default') && names.includes(teamA) && names.includes(teamB), names.join(', '));
  });

  it('keeps job names unique per namespace, not across them', async () => {
    const made = [await job(server.api, `backup-${tag}`), await job(server.api, `backup-${tag}`, { namespace: teamA }), await job(server.api, `backup-${tag}`, { namespace: teamB })];
    assert.deepEqual(made.map((j) => j.namespace), ['default', teamA, teamB]);
    assert.match(await refusal(job(server.api, `backup-${tag}`, { namespace: teamA }), 409), new RegExp(`already exists in namespace '${teamA}'`));
    const inB = (await server.api.call<{ items: Job[] }>('GET', `/cronjobs?namespace=${teamB}`, [200])).items;
    assert.deepEqual(inB.map((j) => [j.name, j.namespace]), [[`backup-${tag}`, teamB]]);
    assert.match(await refusal(server.api.call('PATCH', `/cronjobs/${made[1].id}`, [200], { namespace: teamB }), 400), /^namespace: a cron job never moves/);
  });

  it('holds a scoped token to its namespace: others are 404 or 403, and what it makes goes there', async () => {
    const { token } = await server.api.createToken({ name: `a-admin-${tag}`, role: 'admin', namespace: teamA });
    scoped = server.api.withToken(token);
    assert.deepEqual(await scoped.call('GET', '/tokens/self', [200]), { tokenId: (await scoped.call<{ tokenId: number }>('GET', '/tokens/self', [200])).tokenId, name: `a-admin-${tag}`, role: 'admin', namespace: teamA });

    const listed = (await scoped.call<{ items: Job[] }>('GET', '/cronjobs', [200])).items;
    assert.ok(listed.length > 0 && listed.every((j) => j.namespace === teamA), JSON.stringify(listed));
    const other = (await server.api.call<{ items: Job[] }>('GET', `/cronjobs?namespace=${teamB}`, [200])).items[0];
    assert.match(await refusal(scoped.call('GET', `/cronjobs/${other.id}`, [200]), 404), /not found/);
    assert.match(await refusal(scoped.call('POST', `/cronjobs/${other.id}/run`, [202], {}), 404), /not found/);
    assert.match(await refusal(scoped.call('DELETE', `/cronjobs/${other.id}`, [204]), 404), /not found/);
    assert.ok(await server.api.getCronJob(other.id), 'the other namespace\'s job is still there');
    assert.match(await refusal(scoped.call('GET', `/cronjobs?namespace=${teamB}`, [200]), 403), new RegExp(`scoped to namespace '${teamA}'; '${teamB}' is outside it`));
    assert.match(await refusal(scoped.call('POST', '/scheduler/stop', [200]), 403), /needs a cluster-wide token/);
    assert.match(await refusal(scoped.call('POST', '/namespaces', [201], { name: `x-${tag}` }), 403), /cluster-wide/);
    assert.match(await refusal(scoped.call('POST', '/tokens', [201], { name: `b-${tag}`, role: 'viewer', namespace: teamB }), 403), /outside it/);
    assert.deepEqual((await scoped.call<{ items: NamespaceView[] }>('GET', '/namespaces', [200])).items.map((n) => n.name), [teamA]);
    await expectApiError(scoped.call('GET', `/namespaces/${teamB}`, [200]), 404);

    // What it makes goes into its namespace without saying so; a one-shot task too.
    const own = await job(scoped, `scoped-${tag}`);
    assert.equal(own.namespace, teamA);
    const { taskId } = await scoped.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'command', spec: { command: 'true' } });
    assert.equal((await server.api.getTask(taskId)).namespace, teamA);
    const tasks = (await scoped.call<{ items: Task[] }>('GET', '/tasks?limit=100', [200])).items;
    assert.ok(tasks.every((t) => t.namespace === teamA), 'only its tasks');
    const viewer = await scoped.createToken({ name: `a-viewer-${tag}`, role: 'viewer' });
    assert.equal(viewer.namespace, teamA, "a scoped admin's token is scoped like it");
  });

  it('enforces maxJobs at creation, storing nothing over it, until the quota is raised', async () => {
    // team A holds backup and scoped: at its quota of 2.
    const message = await refusal(job(server.api, `third-${tag}`, { namespace: teamA }), 409);
    assert.match(message, new RegExp(`namespace '${teamA}' holds 2 cron job\\(s\\), its quota maxJobs is 2`));
    assert.equal((await server.api.call<NamespaceView>('GET', `/namespaces/${teamA}`, [200])).usage.jobs, 2);
    const raised = await server.api.call<NamespaceView>('PATCH', `/namespaces/${teamA}`, [200], { maxJobs: null });
    assert.equal(raised.maxJobs, null);
    await job(server.api, `third-${tag}`, { namespace: teamA });
  });

  it('runs a namespace\'s tasks only on workers serving it (or every namespace), and refuses a worker naming an unknown one', async () => {
    const b = startWorker(server, `e2e-ns-b-${tag}`, { extraArgs: ['--namespace', teamB] });
    workers.push(b);
    await waitForWorkerOnline(server.api, { name: `e2e-ns-b-${tag}`, timeoutMs: 30_000, what: 'the team B worker online', details: logs });
    const [jobB] = (await server.api.call<{ items: Job[] }>('GET', `/cronjobs?namespace=${teamB}`, [200])).items;
    const ranB = await server.api.runCronJob(jobB.id);
    assert.equal((await waitForTaskEnd(server.api, ranB.taskId, { timeoutMs: 30_000, details: logs })).status, 'success');

    const [jobDefault] = (await server.api.call<{ items: Job[] }>('GET', '/cronjobs?namespace=default', [200])).items.filter((j) => j.name === `backup-${tag}`);
    const waiting = await server.api.runCronJob(jobDefault.id);
    const t = await waitFor(async () => {
      const task = await server.api.getTask(waiting.taskId);
      return task.pendingReason?.includes("no online worker serves namespace 'default'") ? task : null;
    }, { timeoutMs: 15_000, what: 'the default task waiting for a worker serving its namespace', details: logs });
    assert.equal(t.status, 'pending');
    await server.api.call('DELETE', `/tasks/${waiting.taskId}`, [200, 204]);

    // Team A's token sees the workers that serve team A: not team B's.
    assert.ok(!(await scoped.call<{ items: { name: string }[] }>('GET', '/workers', [200])).items.some((w) => w.name === `e2e-ns-b-${tag}`));

    const stray = startWorker(server, `e2e-ns-stray-${tag}`, { extraArgs: ['--namespace', `nosuch-${tag}`] });
    workers.push(stray);
    await waitFor(() => stray.exited, { timeoutMs: 20_000, what: 'the worker with an unknown namespace to exit', details: logs });
    assert.match(stray.output(), new RegExp(`UnknownNamespace: --namespace: the server has no namespace 'nosuch-${tag}'`));
  });

  it('lets at most maxConcurrentTasks of a namespace run at once; the rest wait, saying why', async () => {
    const shared = startWorker(server, `e2e-ns-shared-${tag}`, { capacity: 4 });
    workers.push(shared);
    await waitForWorkerOnline(server.api, { name: `e2e-ns-shared-${tag}`, timeoutMs: 30_000, what: 'the shared worker online', details: logs });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { namespace: teamA, runner: 'command', spec: { command: 'sleep', args: ['1'] } })).taskId);
    }
    await waitFor(async () => {
      const tasks = await Promise.all(ids.map((id) => server.api.getTask(id)));
      return tasks.some((t) => t.status === 'pending' && t.pendingReason === `namespace '${teamA}' is at its quota of 1 concurrent task`);
    }, { timeoutMs: 20_000, what: 'a task waiting for the quota', details: logs });
    const ended = await Promise.all(ids.map((id) => waitForTaskEnd(server.api, id, { timeoutMs: 60_000, details: logs })));
    assert.deepEqual(ended.map((t) => t.status), ['success', 'success', 'success']);
    // One at a time: sorted by start, each starts after the one before it ended.
    const spans = ended.map((t) => [Date.parse(t.startedAt!), Date.parse(t.finishedAt!)]).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], `tasks overlapped: ${JSON.stringify(spans)}`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metrics.split('\n').includes(`cronfleet_namespace_max_concurrent_tasks{namespace="${teamA}"} 1`), metrics.split('\n').filter((l) => l.includes('namespace')).join('\n'));
    assert.match(metrics, new RegExp(`^cronfleet_namespace_jobs\\{namespace="${teamA}"\\} \\d+$`, 'm'));
  });

  it("streams a scoped token only its namespace's live events", async () => {
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/sse/events?type=cronjob.`, { headers: { authorization: `Bearer ${scoped.token}` }, signal: abort.signal });
    assert.equal(res.status, 200);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const e of parser.push(decoder.decode(value, { stream: true })) as SseEvent[]) seen.push({ type: e.event, data: JSON.parse(e.data) as Record<string, unknown> });
      }
    })().catch(() => undefined);
    try {
      await job(server.api, `other-live-${tag}`, { namespace: teamB });
      const mine = await job(server.api, `mine-live-${tag}`, { namespace: teamA });
      await waitFor(() => seen.some((e) => e.data.cronjobId === mine.id), { timeoutMs: 10_000, what: "team A's cronjob.created over SSE", details: () => JSON.stringify(seen) });
      assert.ok(seen.every((e) => e.data.namespace === teamA), JSON.stringify(seen));
    } finally {
      abort.abort();
      await reading;
    }
  });

  it('deletes only an empty namespace, never default', async () => {
    assert.match(await refusal(server.api.call('DELETE', `/namespaces/${teamB}`, [204]), 409), /still holds \d+ cron job/);
    assert.match(await refusal(server.api.call('DELETE', '/namespaces/default', [204]), 409), /cannot be deleted/);
    const temp = `temp-${tag}`;
    await createNamespace({ name: temp });
    await server.api.call('DELETE', `/namespaces/${temp}`, [204]);
    await expectApiError(server.api.call('GET', `/namespaces/${temp}`, [200]), 404);
  });
});
