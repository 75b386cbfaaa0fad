// Workflow params (issue 17), end to end: a real server on MariaDB + Redis or SQLite, a real worker
// running `sh`, the REST API and the CLI. A workflow declares its params as a job does; an operator
// (not a viewer) starts a run with values, through the API or `cronfleet workflows run --param`;
// every task of the run, a retried step and each group member included, gets them as
// CRONFLEET_PARAM_<NAME>, literally, and the run shows them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDashboardBrowser, signIn, type DashboardBrowser } from './browser';
import {
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  randomId,
  runCli,
  startServer,
  startWorker,
  waitFor,
  waitForWorkerOnline,
  type ApiClient,
  type TestProcess,
  type TestServer,
} from './helpers';

interface RunView {
  id: number;
  status: string;
  params: Record<string, string>;
  steps: { id: string; state: string; tasks: { taskId: number; item: number | null; attempt: number; status: string }[] }[];
}

// Prints the params as the task sees them, through a shell that would expand them if they were spliced in.
const PRINT = 'printf "%s:%s|%s|%s" "$CRONFLEET_WORKFLOW_STEP" "$CRONFLEET_PARAM_X" "$CRONFLEET_PARAM_REGION" "${CRONFLEET_PARAM_TICKET-unset}"';
const PARAMS = [
  { name: 'X', description: 'anything', required: true },
  { name: 'REGION', enum: ['eu', 'us'], default: 'eu' },
  { name: 'TICKET', pattern: '[A-Z]+-[0-9]+' },
];
// Two steps: `first` fails its first attempt and is retried; `fan` is a group of two members.
const STEPS = [
  { id: 'first', runner: 'command', spec: { command: 'sh', args: ['-c', `${PRINT}; [ "$CRONFLEET_ATTEMPT" = 1 ] && exit 3; exit 0`] }, retry: { maxRetries: 1, backoff: 'fixed', delaySeconds: 0, jitter: false } },
  { id: 'fan', dependsOn: ['first'], group: { forEach: ['a', 'b'], runner: 'command', spec: { command: 'sh', args: ['-c', PRINT] } } },
];

for (const backend of ['mysql', 'embedded'] as const) describe(`workflow params on the ${backend} backend`, { timeout: 240_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  let dir: string;
  const workerName = `e2e-wfparams-${randomId()}`;
  const name = `wf-params-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  let operator: ApiClient;
  let operatorToken: string;
  let viewer: ApiClient;

  const start = (api: ApiClient, body?: unknown) => api.call<RunView>('POST', `/workflows/${encodeURIComponent(name)}/runs`, [202], body);
  const runCount = async () => (await server.api.call<{ items: unknown[] }>('GET', `/workflows/${encodeURIComponent(name)}/runs?limit=500`, [200])).items.length;
  const waitForRun = (id: number) =>
    waitFor(async () => {
      const r = await server.api.call<RunView>('GET', `/workflow-runs/${id}`, [200]);
      return r.status !== 'running' && r;
    }, { timeoutMs: 60_000, what: `workflow run ${id} to end`, details: logs });
  /** Each task of the run (step, attempt, member) with its output. */
  const outputs = async (run: RunView) => {
    const all = run.steps.flatMap((s) => s.tasks.map((t) => ({ step: s.id, ...t })));
    return Promise.all(all.map(async (t) => ({ key: `${t.step}#${t.attempt}${t.item === null ? '' : `[${t.item}]`}`, status: t.status, output: await server.api.taskOutput(t.taskId) })));
  };

  before(
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'cronfleet-wfparams-'));
      server = await startServer({ backend });
      worker = startWorker(server, workerName);
      operatorToken = (await server.api.createToken({ name: `operator-${randomId()}`, role: 'operator' })).token;
      operator = server.api.withToken(operatorToken);
      viewer = await server.api.withNewToken({ name: `viewer-${randomId()}`, role: 'viewer' });
      await server.api.call('POST', '/workflows', [201], { name, params: PARAMS, steps: STEPS });
      await waitForWorkerOnline(server.api, { name: workerName, details: logs });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await worker?.stop();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it("gives an operator's values to every task of the run (a retried step and each group member), literally, with defaults for the rest", async () => {
    const x = '$(id) `id` ; echo pwned';
    const started = await start(operator, { params: { X: x } });
    assert.deepEqual(started.params, { X: x, REGION: 'eu' }, 'the run keeps its values: given, else the default; TICKET has neither');
    const run = await waitForRun(started.id);
    assert.equal(run.status, 'success', logs());
    const seen = await outputs(run);
    assert.deepEqual(seen.map((t) => t.key).sort(), ['fan#1[0]', 'fan#1[1]', 'first#1', 'first#2']);
    for (const t of seen) assert.equal(t.output, `${t.key.split('#')[0]}:${x}|eu|unset`, `${t.key}: ${t.output}`);
    assert.deepEqual((await server.api.call<RunView>('GET', `/workflow-runs/${run.id}`, [200])).params, { X: x, REGION: 'eu' });
  });

  it('runs a workflow with --param from the CLI as an operator, and shows the values in its run', async () => {
    const ok = await runCli(server, ['workflows', 'run', name, '--param', 'X=a=b c', '-p', 'REGION=us', '-p', 'TICKET=OPS-1', '--wait', '-o', 'json'], { CRONFLEET_ADMIN_TOKEN: operatorToken });
    assert.equal(ok.code, 0, ok.stderr + logs());
    const run = JSON.parse(ok.stdout) as RunView;
    assert.equal(run.status, 'success');
    assert.deepEqual(run.params, { X: 'a=b c', REGION: 'us', TICKET: 'OPS-1' });
    for (const t of await outputs(run)) assert.equal(t.output, `${t.key.split('#')[0]}:a=b c|us|OPS-1`, t.key);
    const shown = await runCli(server, ['workflows', 'get', String(run.id)], { CRONFLEET_ADMIN_TOKEN: operatorToken });
    assert.match(shown.stdout, /Params: +X=a=b c REGION=us TICKET=OPS-1/, shown.stdout + shown.stderr);
  });

  it('refuses unknown, missing, out-of-enum and non-matching values with a 400 naming each, and starts nothing', async () => {
    const before = await runCount();
    const refusal = async (params: unknown) => String(errorBody(await expectApiError(start(operator, { params }), 400)).message);
    assert.equal(await refusal({ X: 'a', REGION: 'asia' }), 'params.REGION: must be one of eu, us');
    assert.equal(await refusal({}), 'params.X: required');
    assert.match(await refusal({ X: 'a', ZONE: 'b' }), /^params\.ZONE: not a parameter of this workflow \(it has X, REGION, TICKET\)/);
    assert.equal(await refusal({ X: 'a', TICKET: 'ops 1' }), 'params.TICKET: must match the pattern [A-Z]+-[0-9]+');
    assert.equal(await refusal({ X: 1 }), 'params.X: must be a string');
    // A workflow run has no free-form overrides, from any role.
    assert.equal(String(errorBody(await expectApiError(start(server.api, { params: { X: 'a' }, args: ['x'] }), 400)).message), 'args: unknown field');
    const cli = await runCli(server, ['workflows', 'run', name, '--param', 'X=a', '--param', 'REGION=asia'], { CRONFLEET_ADMIN_TOKEN: operatorToken });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /params\.REGION: must be one of eu, us/);
    assert.equal(await runCount(), before);
  });

  it('lets a viewer start no run (403), with or without values', async () => {
    const before = await runCount();
    await expectApiError(start(viewer, { params: { X: 'a' } }), 403);
    await expectApiError(start(viewer), 403);
    assert.equal(await runCount(), before);
  });

  it("refuses a definition whose params do not fit: a scheduled workflow's required param without a default, a step env naming a param's variable, a default its enum refuses", async () => {
    const make = (over: Record<string, unknown>) => server.api.call('POST', '/workflows', [201], { name: `bad-${randomId()}`, steps: STEPS, ...over });
    const message = async (over: Record<string, unknown>) => String(errorBody(await expectApiError(make(over), 400)).message);
    assert.match(await message({ schedule: '0 0 1 1 *', params: [{ name: 'X', required: true }] }), /^params\[0\]\.default: X is required and has no default/);
    assert.match(await message({ params: PARAMS, steps: [{ ...STEPS[0], env: { CRONFLEET_PARAM_REGION: 'us' } }] }), /^steps\[0\]\.env\.CRONFLEET_PARAM_REGION: the param REGION sets this variable/);
    assert.match(await message({ params: [{ name: 'R', enum: ['eu'], default: 'us' }] }), /^params\[0\]\.default: must be one of eu/);
    assert.match(await message({ params: [{ name: 'lower' }] }), /^params\[0\]\.name: /);
    // Disabled, the same schedule is fine: runs then come only from run now, which gives the value.
    await make({ schedule: '0 0 1 1 *', enabled: false, params: [{ name: 'X', required: true }] });
  });

  it('shows the params in the workflow, and export then apply gives the same workflow', async () => {
    const view = await server.api.call<{ params: unknown[] }>('GET', `/workflows/${encodeURIComponent(name)}`, [200]);
    const expected = PARAMS.map((p) => ({ required: false, ...p }));
    assert.deepEqual(view.params, expected);
    const exported = await runCli(server, ['export', '--workflows-only', '-o', 'json']);
    assert.equal(exported.code, 0, exported.stderr);
    const mine = (JSON.parse(exported.stdout) as { workflows: { name: string; params?: unknown }[] }).workflows.find((w) => w.name === name);
    assert.deepEqual(mine?.params, expected.map((p) => Object.fromEntries(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)))));
    const file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify({ workflows: [mine] }));
    const applied = await runCli(server, ['workflows', 'apply', '-f', file, '-o', 'json']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual((JSON.parse(applied.stdout) as { items: { result: string }[] }).items.map((i) => i.result), ['unchanged']);
    writeFileSync(file, JSON.stringify({ workflows: [{ ...mine, params: [{ name: 'X', required: true, default: 'd' }] }] }));
    const changed = await runCli(server, ['workflows', 'apply', '-f', file, '-o', 'json']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.deepEqual((JSON.parse(changed.stdout) as { items: { result: string }[] }).items.map((i) => i.result), ['updated']);
    assert.deepEqual((await server.api.call<{ params: unknown[] }>('GET', `/workflows/${encodeURIComponent(name)}`, [200])).params, [{ name: 'X', required: true, default: 'd' }]);
  });
});

describe("the workflow page's Run dialog in headless Chromium", { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  let dash: DashboardBrowser | undefined;
  const logs = (): string => [server?.process.report(), worker?.report(), dash?.consoleErrors.join('\n')].filter(Boolean).join('\n');

  before(
    async () => {
      dash = await openDashboardBrowser();
      server = await startServer({ backend: 'embedded' });
      worker = startWorker(server, `e2e-wfparams-dash-${randomId()}`);
      await waitForWorkerOnline(server.api, { details: logs });
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      await dash?.browser.close();
      await worker?.stop();
      await server?.stop();
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it("fills the workflow's params in the job's form, shows the server's error under the param, opens the run with its values, and shows a viewer no Run button", async () => {
    const page = dash!.page;
    const w = await server.api.call<{ id: number; name: string }>('POST', '/workflows', [201], { name: `dash-wf-params-${randomId()}`, params: PARAMS, steps: STEPS });
    const token = async (role: string) => (await server.api.createToken({ name: `dash-${role}-${randomId()}`, role })).token;
    await page.goto(`${server.url}/#/workflows/${w.id}`);
    await signIn(page, await token('viewer'), 'viewer');
    await page.getByRole('heading', { name: w.name }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Run now/ }).count(), 0, 'a viewer may not run it');

    await page.evaluate('localStorage.clear(); sessionStorage.clear()');
    await page.reload();
    await signIn(page, await token('operator'), 'operator');
    await page.getByRole('button', { name: 'Run now…' }).click();
    const dialog = page.getByRole('dialog', { name: `Run ${w.name}` });
    await dialog.waitFor();
    assert.equal(await dialog.getByText('Admin overrides').count(), 0, 'a workflow run has no free-form overrides');
    assert.equal(await dialog.getByLabel('REGION').inputValue(), 'eu', 'the default is filled in');
    await dialog.getByLabel('X *').fill('$(id)');
    await dialog.getByLabel('TICKET').fill('not a ticket');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.locator('.field-error').filter({ hasText: 'params.TICKET: must match the pattern [A-Z]+-[0-9]+' }).waitFor();
    await dialog.getByLabel('TICKET').fill('OPS-1');
    await dialog.getByLabel('REGION').selectOption('us');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('run-params').filter({ hasText: 'X=$(id)' }).waitFor();
    assert.equal((await page.getByTestId('run-params').textContent())?.replace(/\s+/g, ' ').trim(), 'X=$(id)REGION=usTICKET=OPS-1');
    const runId = Number(/#\/workflow-runs\/(\d+)/.exec(page.url())![1]);
    const run = await waitFor(async () => {
      const r = await server.api.call<RunView>('GET', `/workflow-runs/${runId}`, [200]);
      return r.status !== 'running' && r;
    }, { timeoutMs: 60_000, what: `workflow run ${runId} to end`, details: logs });
    assert.equal(run.status, 'success', logs());
    const first = run.steps.find((s) => s.id === 'first')!.tasks.at(-1)!;
    assert.equal(await server.api.taskOutput(first.taskId), 'first:$(id)|us|OPS-1');
    assert.deepEqual(dash!.consoleErrors.filter((e) => !/status of 400/.test(e)), []);
  });
});
