// DAG workflows end to end (issue 8) with real servers and real workers: a diamond runs each step
// once and in order; a failing step retries, then its `when: failure` branch runs and the happy path
// is skipped; groups fan out over inputs under maxParallel and fan in at K successes (stopping what
// is no longer needed); a killed run skips the rest; a retried run runs only what failed; bad
// definitions are refused naming the field; the CLI applies, runs, waits and kills; a scheduled
// workflow starts runs by itself; and on MySQL + Redis a run survives the SIGKILL of the leader.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { CLI_BIN, type ApiClient, assertNoLeakedProcesses, childEnv, errorBody, expectApiError, messageText, RUN_ID, randomId, startServer, startWorker, waitFor, type Task, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface RunTask {
  taskId: number;
  item: number | null;
  attempt: number;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
}
interface RunStep {
  id: string;
  state: string;
  attempts: number;
  taskIds: number[];
  tasks: RunTask[];
  group: { size: number; succeeded: number; failed: number; running: number; waiting: number } | null;
}
interface Run {
  id: number;
  status: string;
  trigger: string;
  scheduledAt: string | null;
  retries: number;
  reason: string | null;
  steps: RunStep[];
}
type WorkflowTask = Task & { workflow: { runId: number; step: string; item: number | null } | null; retryOf: number | null };

const sh = (script: string) => ({ runner: 'command', spec: { command: 'sh', args: ['-c', script, 'sh', RUN_ID] } });
const createWorkflow = (api: ApiClient, body: Record<string, unknown>) => api.call<{ id: number; name: string; nextRunAt: string | null }>('POST', '/workflows', [201], body);
const startRun = (api: ApiClient, name: string) => api.call<Run>('POST', `/workflows/${encodeURIComponent(name)}/runs`, [202]);
const getRun = (api: ApiClient, id: number) => api.call<Run>('GET', `/workflow-runs/${id}`, [200]);
const stepOf = (run: Run, id: string): RunStep => run.steps.find((s) => s.id === id)!;
const ms = (iso: string | null) => Date.parse(iso!);

function waitForRunEnd(api: ApiClient, id: number, logs: () => string): Promise<Run> {
  return waitFor(async () => {
    const r = await getRun(api, id);
    return r.status !== 'running' && r;
  }, { timeoutMs: 60_000, what: `workflow run ${id} to end`, details: logs });
}

/** Every task row of a run, counted from GET /tasks (the rows themselves, not the run view built on them). */
async function taskRowsOf(api: ApiClient, runId: number): Promise<WorkflowTask[]> {
  const { items } = await api.call<{ items: WorkflowTask[] }>('GET', '/tasks?limit=500', [200]);
  return items.filter((t) => t.workflow?.runId === runId);
}

/** The most tasks of `tasks` running at one time, from their start and end times (one worker's clock). */
function mostAtOnce(tasks: readonly RunTask[]): number {
  const edges = tasks.flatMap((t) => [[ms(t.startedAt), 1], [ms(t.finishedAt), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

describe('workflows on the embedded backend', { timeout: 240_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  let dir: string;
  const tag = randomId();
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const name = (n: string) => `${n}-${tag}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cronfleet-wf-'));
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `e2e-wf-${randomId()}`, { capacity: 4 });
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('runs a diamond: the join starts only after both branches ended, each step once, with its environment', async () => {
    await createWorkflow(server.api, {
      name: name('diamond'),
      steps: [
        { id: 'a', ...sh('echo a') },
        { id: 'b', dependsOn: ['a'], ...sh('sleep 0.6; echo b') },
        { id: 'c', dependsOn: ['a'], ...sh('sleep 0.2; echo c') },
        { id: 'd', dependsOn: ['b', 'c'], env: { GREETING: 'hello' }, ...sh('echo "$GREETING from $CRONFLEET_WORKFLOW_STEP of $CRONFLEET_WORKFLOW run $CRONFLEET_WORKFLOW_RUN_ID"') },
      ],
    });
    const started = await startRun(server.api, name('diamond'));
    assert.equal(started.status, 'running');
    assert.equal(stepOf(started, 'a').taskIds.length, 1, 'the root is started when the run is answered');
    const run = await waitForRunEnd(server.api, started.id, logs);
    assert.equal(run.status, 'success', logs());
    for (const s of run.steps) assert.deepEqual([s.id, s.state, s.attempts, s.tasks.map((t) => t.status)], [s.id, 'success', 1, ['success']]);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => stepOf(run, id).tasks[0]);
    assert.ok(ms(b.startedAt) >= ms(a.finishedAt) && ms(c.startedAt) >= ms(a.finishedAt), 'the branches start after the root ended');
    assert.ok(ms(d.startedAt) >= Math.max(ms(b.finishedAt), ms(c.finishedAt)), 'the join starts after both branches ended');
    assert.equal(await server.api.taskOutput(d.taskId), `hello from d of ${name('diamond')} run ${run.id}\n`);
    const rows = await taskRowsOf(server.api, run.id);
    assert.deepEqual(rows.map((t) => t.workflow!.step).sort(), ['a', 'b', 'c', 'd'], 'one task row per step');
    assert.ok(rows.every((t) => t.trigger === 'workflow' && t.workflow!.item === null));
  });

  it('retries a failing step, then runs its `when: failure` branch and skips the happy path; the handled failure does not fail the run', async () => {
    await createWorkflow(server.api, {
      name: name('failing'),
      steps: [
        { id: 'build', ...sh('echo "attempt $CRONFLEET_ATTEMPT"; exit 3'), retry: { maxRetries: 1, backoff: 'fixed', delaySeconds: 1, jitter: false } },
        { id: 'deploy', dependsOn: ['build'], ...sh('echo deployed') },
        { id: 'alert', dependsOn: ['build'], when: 'failure', ...sh('echo "alert: build failed"') },
      ],
    });
    const run = await waitForRunEnd(server.api, (await startRun(server.api, name('failing'))).id, logs);
    assert.equal(run.status, 'success', 'a failure handled by a failure branch that ran does not fail the run');
    const build = stepOf(run, 'build');
    assert.deepEqual([build.state, build.attempts, build.tasks.map((t) => [t.attempt, t.status])], ['failed', 2, [[1, 'failed'], [2, 'failed']]]);
    assert.equal(await server.api.taskOutput(build.tasks[1].taskId), 'attempt 2\n');
    const second = (await server.api.getTask(build.tasks[1].taskId)) as WorkflowTask;
    assert.deepEqual([second.trigger, second.retryOf], ['retry', build.tasks[0].taskId]);
    assert.deepEqual([stepOf(run, 'deploy').state, stepOf(run, 'deploy').taskIds], ['skipped', []]);
    const alert = stepOf(run, 'alert');
    assert.equal(alert.state, 'success');
    assert.equal(await server.api.taskOutput(alert.taskIds[0]), 'alert: build failed\n');
  });

  it('fans a group out over its inputs, at most maxParallel at once, and decides it at K successes; an `any` group stops the members it no longer needs', async () => {
    await createWorkflow(server.api, {
      name: name('fan'),
      steps: [
        {
          id: 'regions',
          group: { forEach: ['eu', 'us', 'asia', 'af', 'oc'], ...sh('echo "region $CRONFLEET_ITEM #$CRONFLEET_ITEM_INDEX"; sleep 0.3; [ "$CRONFLEET_ITEM_INDEX" != 1 ] && [ "$CRONFLEET_ITEM_INDEX" != 3 ]') },
          succeedWhen: { atLeast: 3 },
          maxParallel: 2,
        },
        { id: 'race', group: { items: [sh('echo quick'), sh('sleep 30'), sh('sleep 30')] }, succeedWhen: 'any' },
        { id: 'merge', dependsOn: ['regions', 'race'], ...sh('echo merged') },
      ],
    });
    const run = await waitForRunEnd(server.api, (await startRun(server.api, name('fan'))).id, logs);
    assert.equal(run.status, 'success', logs());
    const regions = stepOf(run, 'regions');
    assert.deepEqual([regions.state, regions.group], ['success', { size: 5, succeedWhen: { atLeast: 3 }, maxParallel: 2, succeeded: 3, failed: 2, running: 0, waiting: 0, skipped: 0 }]);
    assert.deepEqual(regions.tasks.map((t) => [t.item, t.status]).sort(), [[0, 'success'], [1, 'failed'], [2, 'success'], [3, 'failed'], [4, 'success']]);
    assert.ok(mostAtOnce(regions.tasks) <= 2, `more than maxParallel members ran at once: ${JSON.stringify(regions.tasks)}`);
    const outputs = await Promise.all(regions.tasks.map(async (t) => [t.item, await server.api.taskOutput(t.taskId)]));
    assert.deepEqual(outputs.sort(), [[0, 'region eu #0\n'], [1, 'region us #1\n'], [2, 'region asia #2\n'], [3, 'region af #3\n'], [4, 'region oc #4\n']]);
    const race = stepOf(run, 'race');
    assert.equal(race.state, 'success');
    // A member still waiting for a free worker place when the group is decided is cancelled instead.
    const stopped = await waitFor(async () => {
      const tasks = stepOf(await getRun(server.api, run.id), 'race').tasks;
      return tasks.filter((t) => t.item !== 0).every((t) => t.status === 'killed' || t.status === 'cancelled') && tasks;
    }, { timeoutMs: 20_000, what: 'the race members no longer needed to be stopped', details: logs });
    assert.deepEqual(stopped.map((t) => [t.item, t.status === 'cancelled' ? 'killed' : t.status]).sort(), [[0, 'success'], [1, 'killed'], [2, 'killed']]);
    assert.equal(stepOf(run, 'merge').state, 'success');
  });

  it('kills a run mid-way: the running step is killed, the rest skipped, nothing more starts', async () => {
    await createWorkflow(server.api, { name: name('kill'), steps: [{ id: 'nap', ...sh('echo napping; sleep 30') }, { id: 'after', dependsOn: ['nap'], ...sh('echo after') }] });
    const { id } = await startRun(server.api, name('kill'));
    await waitFor(async () => stepOf(await getRun(server.api, id), 'nap').tasks[0]?.status === 'running', { timeoutMs: 20_000, what: 'the nap step running', details: logs });
    const killed = await server.api.call<Run>('POST', `/workflow-runs/${id}/kill`, [200]);
    assert.deepEqual([killed.status, killed.reason], ['killed', 'killed through the API']);
    const run = await waitFor(async () => {
      const r = await getRun(server.api, id);
      return stepOf(r, 'nap').tasks[0].status === 'killed' && r;
    }, { timeoutMs: 20_000, what: "the nap step's task killed", details: logs });
    assert.deepEqual(run.steps.map((s) => [s.id, s.state, s.taskIds.length]), [['nap', 'killed', 1], ['after', 'skipped', 0]]);
    assert.equal(errorBody(await expectApiError(server.api.call('POST', `/workflow-runs/${id}/kill`, [200]), 409)).statusCode, 409);
    assert.equal((await taskRowsOf(server.api, id)).length, 1, 'no step started after the kill');
  });

  it('reads a step whose task was killed as killed, and runs its failure handler as for a failure', async () => {
    await createWorkflow(server.api, {
      name: name('killed-step'),
      steps: [
        { id: 'nap', ...sh('echo napping; sleep 30') },
        { id: 'next', dependsOn: ['nap'], ...sh('echo next') },
        { id: 'alert', dependsOn: ['nap'], when: 'failure', ...sh('echo alert') },
      ],
    });
    const { id } = await startRun(server.api, name('killed-step'));
    const napping = await waitFor(async () => {
      const t = stepOf(await getRun(server.api, id), 'nap').tasks[0];
      return t?.status === 'running' && t;
    }, { timeoutMs: 20_000, what: 'the nap step running', details: logs });
    await server.api.killTask(napping.taskId);
    const run = await waitForRunEnd(server.api, id, logs);
    assert.deepEqual(run.steps.map((s) => [s.id, s.state, s.tasks.map((t) => t.status)]), [
      ['nap', 'killed', ['killed']],
      ['next', 'skipped', []],
      ['alert', 'success', ['success']],
    ]);
    assert.equal(run.status, 'success', 'the kill was handled by the failure branch');
  });

  it('retries a failed run from its failed step: what succeeded does not run again', async () => {
    const mark = join(dir, 'second-time');
    await createWorkflow(server.api, {
      name: name('retry'),
      steps: [
        { id: 'fetch', ...sh('echo fetched') },
        { id: 'flaky', dependsOn: ['fetch'], env: { MARK: mark }, ...sh('if [ -e "$MARK" ]; then echo "second try"; else touch "$MARK"; echo "first try"; exit 1; fi') },
        { id: 'publish', dependsOn: ['flaky'], ...sh('echo published') },
      ],
    });
    const failed = await waitForRunEnd(server.api, (await startRun(server.api, name('retry'))).id, logs);
    assert.deepEqual([failed.status, failed.steps.map((s) => s.state)], ['failed', ['success', 'failed', 'skipped']]);
    assert.ok(existsSync(mark));
    const retried = await server.api.call<Run>('POST', `/workflow-runs/${failed.id}/retry`, [202]);
    assert.deepEqual([retried.status, retried.retries], ['running', 1]);
    const run = await waitForRunEnd(server.api, failed.id, logs);
    assert.equal(run.status, 'success', logs());
    assert.deepEqual(run.steps.map((s) => [s.id, s.state, s.tasks.map((t) => `${t.attempt}:${t.status}`)]), [
      ['fetch', 'success', ['1:success']],
      ['flaky', 'success', ['1:failed', '2:success']],
      ['publish', 'success', ['1:success']],
    ]);
    assert.equal(await server.api.taskOutput(stepOf(run, 'flaky').taskIds[1]), 'second try\n');
    const again = messageText(errorBody(await expectApiError(server.api.call('POST', `/workflow-runs/${run.id}/retry`, [202]), 409)));
    assert.match(again, /succeeded: only a failed, killed or cancelled run can be retried/);
  });

  it('refuses bad definitions with a 400 naming the field, and stores none of them', async () => {
    const before0 = (await server.api.call<{ items: unknown[] }>('GET', '/workflows', [200])).items.length;
    const refused = async (steps: unknown[], extra: Record<string, unknown> = {}) =>
      messageText(errorBody(await expectApiError(server.api.call('POST', '/workflows', [201], { name: name('bad'), steps, ...extra }), 400)));
    const ok = (id: string, dependsOn: string[] = []) => ({ id, dependsOn, ...sh('true') });
    assert.equal(await refused([ok('extract', ['load']), ok('transform', ['extract']), ok('load', ['transform'])]), 'steps[0].dependsOn: steps form a cycle: extract → transform → load → extract');
    assert.equal(await refused([ok('a'), ok('b', ['a', 'x'])]), "steps[1].dependsOn[1]: no step has the id 'x'");
    assert.equal(await refused([ok('a'), ok('a')]), "steps[1].id: 'a' is already the id of step 0");
    assert.match(await refused([ok('a'), { id: 'b', runner: 'http', spec: { url: 'ftp://example.com' } }]), /^steps\[1\]\.spec\.url: /);
    assert.equal(await refused([{ id: 'g', group: { forEach: [1, 2], ...sh('true') }, succeedWhen: { atLeast: 3 } }]), 'steps[0].succeedWhen.atLeast: 3 is more than the 2 member(s) of the group');
    assert.equal(await refused([{ id: 'a', dependsOn: [], when: 'failure', ...sh('true') }]), "steps[0].when: 'failure' needs dependsOn: it is about upstream steps");
    assert.match(await refused([ok('a')], { schedule: '61 * * * *' }), /^schedule '61 \* \* \* \*': minute 61/);
    assert.equal((await server.api.call<{ items: unknown[] }>('GET', '/workflows', [200])).items.length, before0);
    await expectApiError(server.api.call('PUT', '/workflows/no-such-workflow', [200], { name: 'x', steps: [ok('a')] }), 404);
    await createWorkflow(server.api, { name: name('taken'), steps: [ok('a')] });
    await expectApiError(createWorkflow(server.api, { name: name('taken'), steps: [ok('a')] }), 409);
  });

  it('starts runs of a scheduled workflow by itself, one per due time, until it is disabled', async () => {
    const body = { name: name('tick'), schedule: '@every 2s', steps: [{ id: 'tick', ...sh('echo tick') }] };
    const w = await createWorkflow(server.api, body);
    assert.ok(w.nextRunAt);
    const runs = await waitFor(async () => {
      const { items } = await server.api.call<{ items: Run[] }>('GET', `/workflows/${w.id}/runs`, [200]);
      return items.filter((r) => r.status === 'success').length >= 2 && items;
    }, { timeoutMs: 30_000, what: 'two scheduled runs', details: logs });
    await server.api.call('PUT', `/workflows/${w.id}`, [200], { ...body, enabled: false });
    assert.ok(runs.every((r) => r.trigger === 'schedule' && r.scheduledAt !== null));
    assert.equal(new Set(runs.map((r) => r.scheduledAt)).size, runs.length, 'one run per due time');
    const due = runs.map((r) => ms(r.scheduledAt));
    assert.ok(due.every((t) => (t - Math.min(...due)) % 2000 === 0), `due times on the 2 s grid: ${runs.map((r) => r.scheduledAt).join(', ')}`);
  });

  it('CLI: apply creates then leaves unchanged, run --wait prints each step and exits by the outcome, runs lists, kill kills', async () => {
    const env = childEnv({ CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: server.adminToken });
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI_BIN, ...args], { env, timeout: 60_000 }, (e, stdout, stderr) =>
          resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
        );
      });
    const file = join(dir, 'workflows.yaml');
    writeFileSync(
      file,
      [
        `name: ${name('cli-ok')}`,
        'steps:',
        `  - { id: first, runner: command, spec: { command: sh, args: [-c, "echo one", sh, ${RUN_ID}] } }`,
        `  - { id: second, dependsOn: [first], runner: command, spec: { command: sh, args: [-c, "echo two", sh, ${RUN_ID}] } }`,
        '---',
        `name: ${name('cli-bad')}`,
        'steps:',
        `  - { id: broken, runner: command, spec: { command: sh, args: [-c, "exit 5", sh, ${RUN_ID}] } }`,
        '---',
        `name: ${name('cli-slow')}`,
        'steps:',
        `  - { id: nap, runner: command, spec: { command: sh, args: [-c, "sleep 30", sh, ${RUN_ID}] } }`,
      ].join('\n') + '\n',
    );
    const applied = await cli('workflows', 'apply', '-f', file);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`workflow '${name('cli-ok')}' \\(id \\d+\\) created\\n.*'${name('cli-bad')}' \\(id \\d+\\) created\\n.*'${name('cli-slow')}' \\(id \\d+\\) created`));
    const again = await cli('workflows', 'apply', '-f', file);
    assert.equal((again.stdout.match(/unchanged/g) ?? []).length, 3, again.stdout + again.stderr);

    const ok = await cli('workflows', 'run', name('cli-ok'), '--wait');
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /Status:\s+success/);
    assert.match(ok.stdout, /first\s+success\s+1\s/);
    assert.match(ok.stdout, /second\s+success\s+1\s/);
    const bad = await cli('workflows', 'run', name('cli-bad'), '--wait', '-o', 'json');
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal((JSON.parse(bad.stdout) as Run).status, 'failed');
    assert.match(bad.stderr, /workflow run \d+ ended failed/);

    const runs = await cli('workflows', 'runs', name('cli-ok'));
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, new RegExp(`\\d+\\s+${name('cli-ok')}\\s+success\\s+api`));

    const started = await cli('workflows', 'run', name('cli-slow'), '-o', 'json');
    const slow = JSON.parse(started.stdout) as Run;
    await waitFor(async () => stepOf(await getRun(server.api, slow.id), 'nap').tasks[0]?.status === 'running', { timeoutMs: 20_000, what: 'the slow run napping', details: logs });
    const kill = await cli('workflows', 'kill', String(slow.id), '--yes');
    assert.equal(kill.code, 0, kill.stderr);
    assert.match(kill.stdout, new RegExp(`workflow run ${slow.id} killed`));
    const status = await cli('workflows', 'get', String(slow.id), '-o', 'json');
    assert.equal((JSON.parse(status.stdout) as Run).status, 'killed');
    // The kill is confirmed before the worker's report of it is recorded: the step reads killed once its task does.
    await waitFor(async () => stepOf(await getRun(server.api, slow.id), 'nap').tasks[0].status === 'killed', { timeoutMs: 20_000, what: "the slow run's task killed", details: logs });
    const table = await cli('workflows', 'get', String(slow.id));
    assert.match(table.stdout, /^\s*nap\s+killed\s+1\s/m, table.stdout);
    assert.equal((await cli('workflows', 'kill', String(slow.id), '--yes')).code, 1, 'a second kill is refused: the run has ended');
  });
});

/** Inserts a run of the same workflow and steps as `runId`, running and never advanced; returns its id. */
async function insertUnadvancedCopy(server: TestServer, runId: number): Promise<number> {
  const base = (process.env.CRONFLEET_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
  const conn = await createConnection({ uri: `${base}/${server.database}`, timezone: 'Z' });
  try {
    const [r] = await conn.query(
      "INSERT INTO workflow_runs (workflow_id, workflow_name, `trigger`, scheduled_at, status, definition, retries, started_at) SELECT workflow_id, workflow_name, 'api', NULL, 'running', definition, 0, ? FROM workflow_runs WHERE id = ?",
      [new Date(), runId],
    );
    return (r as { insertId: number }).insertId;
  } finally {
    await conn.end();
  }
}

describe('a workflow run across a leader failover (MySQL + Redis)', { timeout: 180_000 }, () => {
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  let worker: TestProcess | undefined;
  const env = { CRONFLEET_LEASE_SECONDS: '3' };
  const logs = (): string => [a?.process.report(), b?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const isLeader = async (s: TestServer) => (await s.api.call<{ isLeader: boolean }>('GET', '/scheduler', [200])).isLeader;

  before(async () => {
    a = await startServer({ backend: 'mysql', env });
    await waitFor(() => isLeader(a!), { timeoutMs: 15_000, what: 'the first server to lead', details: logs });
    b = await startServer({ backend: 'mysql', sharedWith: a, env });
    // The worker reports to the standby, so its results are recorded while the leader is down.
    worker = startWorker(b, `e2e-wf-ha-${randomId()}`, { capacity: 4 });
    await waitForWorkerOnline(b!.api, { timeoutMs: 15_000, details: logs });
  });
  after(async () => {
    await worker?.stop();
    await b?.stop();
    await a?.stop();
    assertNoLeakedProcesses();
  });

  it('completes a run whose leader is SIGKILLed while a step runs, and one it created but never advanced, every step exactly once', async () => {
    const wfName = `failover-${randomId()}`;
    await createWorkflow(b!.api, {
      name: wfName,
      steps: [
        { id: 'first', ...sh('echo first') },
        { id: 'long', dependsOn: ['first'], ...sh('sleep 4; echo long') },
        { id: 'side', dependsOn: ['first'], group: { forEach: ['x', 'y'], ...sh('echo "side $CRONFLEET_ITEM"') } },
        { id: 'last', dependsOn: ['long', 'side'], ...sh('echo last') },
      ],
    });
    const { id } = await startRun(b!.api, wfName);
    await waitFor(async () => stepOf(await getRun(b!.api, id), 'long').tasks[0]?.status === 'running', { timeoutMs: 20_000, what: 'the long step running', details: logs });
    // A run its leader created and died before advancing: running, no task. Only a server taking over
    // (or the leader's sweep) can know of it.
    const orphan = await insertUnadvancedCopy(a!, id);
    assert.ok(await isLeader(a!), 'the server killed is the leader');
    a!.process.child.kill('SIGKILL');
    for (const runId of [id, orphan]) {
      const run = await waitForRunEnd(b!.api, runId, logs);
      assert.equal(run.status, 'success', logs());
      const rows = await taskRowsOf(b!.api, runId);
      const perUnit = new Map<string, number>();
      for (const t of rows) {
        const unit = `${t.workflow!.step}${t.workflow!.item === null ? '' : `[${t.workflow!.item}]`}`;
        perUnit.set(unit, (perUnit.get(unit) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(perUnit), { first: 1, long: 1, 'side[0]': 1, 'side[1]': 1, last: 1 }, `run ${runId}: every step ran exactly once`);
      assert.ok(rows.every((t) => t.status === 'success'));
      assert.equal(await b!.api.taskOutput(stepOf(run, 'last').taskIds[0]), 'last\n');
    }
    assert.ok(await isLeader(b!), 'the standby took over');
  });
});
