// Job parameters and admin-only run overrides (issue 17), end to end: a real server on MariaDB + Redis
// or SQLite, a real worker running `sh`, the REST API and the CLI. An operator varies a run only
// through the params a job declares; they reach the task as CRONFLEET_PARAM_<NAME> and nothing
// interprets them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { openDashboardBrowser, signIn, type DashboardBrowser } from './browser';
import {
  CLI_BIN,
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  randomId,
  repoRoot,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type ApiClient,
  type TestProcess,
  type TestServer, waitForWorkerOnline } from './helpers';

const FAR_SCHEDULE = '0 0 1 1 *';
const BIN = CLI_BIN;
// Prints the two params as the task sees them, through a shell that would expand them if they were spliced in.
const PRINT_PARAMS = { command: 'sh', args: ['-c', 'printf "%s|%s" "$CRONFLEET_PARAM_X" "$CRONFLEET_PARAM_REGION"'] };
const PARAMS = [
  { name: 'X', description: 'anything', required: true },
  { name: 'REGION', enum: ['eu', 'us'], default: 'eu' },
  { name: 'TICKET', pattern: '[A-Z]+-[0-9]+' },
];

function cli(server: TestServer, token: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRONFLEET_') && !k.startsWith('NODE_TEST') && k !== 'NODE_OPTIONS') env[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: repoRoot, env: { ...env, CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: token }, timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

for (const backend of ['mysql', 'embedded'] as const) describe(`job params and admin-only run overrides on the ${backend} backend`, { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  const workerName = `e2e-params-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  let operator: ApiClient;
  let operatorToken: string;
  const operatorName = `operator-${randomId()}`;
  let job: { id: number; name: string };

  const run = (api: ApiClient, body: unknown) => api.call<{ taskId: number }>('POST', `/cronjobs/${job.id}/run`, [202], body);
  const outputOf = async (api: ApiClient, taskId: number) => {
    const task = await waitForTaskEnd(api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(task.status, 'success', logs());
    return api.taskOutput(taskId);
  };
  const taskCount = async () => (await server.api.listTasks({ cronjobId: job.id })).items.length;

  before(
    async () => {
      server = await startServer({ backend });
      worker = startWorker(server, workerName);
      operatorToken = (await server.api.createToken({ name: operatorName, role: 'operator' })).token;
      operator = server.api.withToken(operatorToken);
      job = await server.api.call('POST', '/cronjobs', [201], { name: `params-${randomId()}`, schedule: FAR_SCHEDULE, enabled: false, runner: 'command', spec: PRINT_PARAMS, params: PARAMS });
      await waitForWorkerOnline(server.api, { name: workerName, details: logs });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await worker?.stop();
      await server?.stop();
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it('refuses args or env overrides from an operator with a 403 naming them, and runs nothing', async () => {
    const before = await taskCount();
    for (const body of [{ args: ['-c', 'id'] }, { env: { LD_PRELOAD: '/tmp/x.so' } }, { args: [], env: {}, params: { X: 'a' } }]) {
      const e = await expectApiError(run(operator, body), 403);
      const sent = Object.keys(body).filter((k) => k !== 'params').join(', ');
      assert.match(String(errorBody(e).message), new RegExp(`^${sent}: .*needs the admin role .*has operator`), e.text);
    }
    assert.equal(await taskCount(), before);
    const audit = await server.api.call<{ items: { method: string; path: string; status: number }[] }>('GET', `/audit?actor=${encodeURIComponent(operatorName)}`, [200]);
    assert.equal(audit.items.filter((a) => a.method === 'POST' && a.path === `/api/v1/cronjobs/${job.id}/run` && a.status === 403).length, 3, 'each refusal is in the audit log');
  });

  it('keeps args overrides working for an admin', async () => {
    const { taskId } = await run(server.api, { args: ['-c', 'printf "admin-%s" "$CRONFLEET_PARAM_REGION"'], params: { X: 'x' } });
    assert.equal(await outputOf(server.api, taskId), 'admin-eu');
  });

  it("gives an operator's param values to the task as CRONFLEET_PARAM_<NAME>, literally, with defaults for the rest", async () => {
    const { taskId } = await run(operator, { params: { X: '$(id) `id` ; echo pwned' } });
    assert.equal(await outputOf(operator, taskId), '$(id) `id` ; echo pwned|eu');
  });

  it('refuses unknown, missing, out-of-enum and non-matching params with a 400 naming each, and runs nothing', async () => {
    const before = await taskCount();
    const refusal = async (params: Record<string, string>) => String(errorBody(await expectApiError(run(operator, { params }), 400)).message);
    assert.equal(await refusal({ X: 'a', REGION: 'asia' }), 'params.REGION: must be one of eu, us');
    assert.equal(await refusal({}), 'params.X: required');
    assert.match(await refusal({ X: 'a', ZONE: 'b' }), /^params\.ZONE: not a parameter of this job \(it has X, REGION, TICKET\)/);
    assert.equal(await refusal({ X: 'a', TICKET: 'ops 1' }), 'params.TICKET: must match the pattern [A-Z]+-[0-9]+');
    assert.equal(await taskCount(), before);
  });

  it('refuses to save an enabled job whose required param has no default, and a default its enum refuses', async () => {
    const make = (over: Record<string, unknown>) => server.api.call('POST', '/cronjobs', [201], { name: `bad-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' }, ...over });
    assert.match(String(errorBody(await expectApiError(make({ params: [{ name: 'X', required: true }] }), 400)).message), /^params\.0\.default: X is required and has no default/);
    assert.equal(String(errorBody(await expectApiError(make({ params: [{ name: 'R', enum: ['eu'], default: 'us' }] }), 400)).message), 'params.0.default: must be one of eu');
    assert.match(String(errorBody(await expectApiError(make({ params: [{ name: 'lower' }] }), 400)).message), /^params\.0\.name: /);
    const e = await expectApiError(server.api.call('PATCH', `/cronjobs/${job.id}`, [200], { enabled: true }), 400);
    assert.match(String(errorBody(e).message), /^params\.0\.default: X is required/);
  });

  it('stops a pattern that backtracks without end, in a default and in a run, with a 400 naming the field and the limit', async () => {
    const slow = { name: 'SLOW', pattern: '(a+)+b' };
    const value = `${'a'.repeat(40)}c`;
    const limit = 'matching the pattern (a+)+b took more than 100 ms; give a shorter value or ask an admin to simplify the pattern';
    const make = (params: unknown[]) => server.api.call<{ id: number }>('POST', '/cronjobs', [201], { name: `slow-${randomId()}`, schedule: FAR_SCHEDULE, enabled: false, runner: 'command', spec: { command: 'true' }, params });
    assert.equal(String(errorBody(await expectApiError(make([{ ...slow, default: value }]), 400)).message), `params.0.default: ${limit}`);
    const slowJob = await make([slow]);
    const e = await expectApiError(server.api.call('POST', `/cronjobs/${slowJob.id}/run`, [202], { params: { SLOW: value } }), 400);
    assert.equal(String(errorBody(e).message), `params.SLOW: ${limit}`);
    assert.equal((await server.api.listTasks({ cronjobId: slowJob.id })).items.length, 0);
  });

  it('shows the params in the job, its versions and its export', async () => {
    const view = await server.api.call<{ params: unknown[]; version: number }>('GET', `/cronjobs/${job.id}`, [200]);
    const expected = PARAMS.map((p) => ({ required: false, ...p }));
    assert.deepEqual(view.params, expected);
    const version = await server.api.call<{ definition: { params: unknown[] } }>('GET', `/cronjobs/${job.id}/versions/${view.version}`, [200]);
    assert.deepEqual(version.definition.params, expected);
    const exported = await cli(server, server.adminToken, ['export', '--jobs-only', '-o', 'json']);
    assert.equal(exported.code, 0, exported.stderr);
    const mine = (JSON.parse(exported.stdout) as { jobs: { name: string; params?: unknown }[] }).jobs.find((j) => j.name === job.name);
    assert.deepEqual(mine?.params, expected.map((p) => Object.fromEntries(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)))));
  });

  it('runs a job with --param from the CLI as an operator, and refuses --arg for one', async () => {
    const ok = await cli(server, operatorToken, ['cronjobs', 'run', job.name, '--param', 'X=a=b c', '-p', 'REGION=us', '-f']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'a=b c|us');
    const bad = await cli(server, operatorToken, ['cronjobs', 'run', job.name, '--param', 'REGION=asia']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /params\.REGION: must be one of eu, us/);
    const refused = await cli(server, operatorToken, ['cronjobs', 'run', job.name, '--arg', 'x', '--param', 'X=a']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /args: .*needs the admin role/);
  });

  it('stores and runs the documented maximum: 20 params, each with a 4 KiB default and 4 KiB given values', async () => {
    const big = (c: string) => c.repeat(4096);
    const params = Array.from({ length: 20 }, (_, i) => ({ name: `P${i}`, default: big('d'), pattern: '[a-z]+' }));
    const max = await server.api.call<{ id: number; params: unknown[] }>('POST', '/cronjobs', [201], {
      name: `max-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'sh', args: ['-c', 'printf "%s %s" "${#CRONFLEET_PARAM_P0}" "${#CRONFLEET_PARAM_P19}"'] }, params,
    });
    assert.equal(max.params.length, 20);
    const { taskId } = await server.api.call<{ taskId: number }>('POST', `/cronjobs/${max.id}/run`, [202], { params: Object.fromEntries(params.map((p) => [p.name, big('v')])) });
    assert.equal(await outputOf(server.api, taskId), '4096 4096');
    const tooBig = await expectApiError(server.api.call('POST', `/cronjobs/${max.id}/run`, [202], { params: { P0: big('v') + 'v' } }), 400);
    assert.equal(String(errorBody(tooBig).message), 'params.P0: must be at most 4096 bytes (got 4097)');
  });

  it("gives a scheduled run the params' defaults", async () => {
    const scheduled = await server.api.call<{ id: number }>('POST', '/cronjobs', [201], {
      name: `scheduled-${randomId()}`, schedule: '@every 1s', runner: 'command', spec: { command: 'sh', args: ['-c', 'printf "%s" "$CRONFLEET_PARAM_MODE"'] }, params: [{ name: 'MODE', default: 'nightly', required: true }],
    });
    const first = await waitFor(async () => (await server.api.listTasks({ cronjobId: scheduled.id })).items.find((t) => (t as unknown as { trigger: string }).trigger === 'schedule'), { timeoutMs: 20_000, what: 'a scheduled task', details: logs });
    await server.api.call('POST', `/cronjobs/${scheduled.id}/pause`, [200]);
    assert.equal(await outputOf(server.api, first.id), 'nightly');
  });

  it("starts a chained job with its params' defaults", async () => {
    const target = await server.api.call<{ id: number; name: string }>('POST', '/cronjobs', [201], {
      name: `chained-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'sh', args: ['-c', 'printf "%s" "$CRONFLEET_PARAM_LEVEL"'] }, params: [{ name: 'LEVEL', default: 'full', enum: ['full', 'quick'] }],
    });
    const source = await server.api.call<{ id: number }>('POST', '/cronjobs', [201], { name: `source-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' }, triggers: { onSuccess: [target.name] } });
    await server.api.call('POST', `/cronjobs/${source.id}/run`, [202], {});
    const chained = await waitFor(async () => (await server.api.listTasks({ cronjobId: target.id })).items[0], { timeoutMs: 20_000, what: 'the chained task', details: logs });
    assert.equal(await outputOf(server.api, chained.id), 'full');
  });

  // Chains carry values: `triggers: { onSuccess: ["b", { "job": "c", "params": { "REGION": "eu" } }] }`.
  const chainTarget = (name: string, params: unknown[], extra: Record<string, unknown> = {}) =>
    server.api.call<{ id: number; name: string }>('POST', '/cronjobs', [201], {
      ...extra, name: `${name}-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'sh', args: ['-c', 'printf "CRONFLEET_PARAM_REGION=%s" "$CRONFLEET_PARAM_REGION"'] }, params,
    });
  const REGION_PARAM = { name: 'REGION', enum: ['eu', 'us'], default: 'us' };

  it('starts a chained job with the param values its trigger gives, and a plain name beside it with the defaults', async () => {
    const b = await chainTarget('plain', [REGION_PARAM]);
    const c = await chainTarget('valued', [REGION_PARAM]);
    const triggers = { onSuccess: [b.name, { job: c.name, params: { REGION: 'eu' } }] };
    const source = await server.api.call<{ id: number; triggers: unknown }>('POST', '/cronjobs', [201], { name: `source-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' }, triggers });
    assert.deepEqual(source.triggers, triggers, 'stored and shown as given');
    await server.api.call('POST', `/cronjobs/${source.id}/run`, [202], {});
    for (const [job, expected] of [[c, 'CRONFLEET_PARAM_REGION=eu'], [b, 'CRONFLEET_PARAM_REGION=us']] as const) {
      const chained = await waitFor(async () => (await server.api.listTasks({ cronjobId: job.id })).items[0], { timeoutMs: 20_000, what: `the chained task of ${job.name}`, details: logs });
      assert.equal((chained as unknown as { trigger: string }).trigger, 'chain');
      assert.equal(await outputOf(server.api, chained.id), expected);
    }
  });

  it("refuses a trigger whose values its target's params refuse, with a 400 naming the field, and stores nothing", async () => {
    const b = await chainTarget('plain', [REGION_PARAM]);
    // Kept disabled: a required param without a default is refused on an enabled job.
    const c = await chainTarget('strict', [REGION_PARAM, { name: 'TICKET', pattern: '[A-Z]+-[0-9]+', required: true }], { enabled: false });
    const source = await server.api.call<{ id: number }>('POST', '/cronjobs', [201], { name: `source-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' } });
    const refusal = async (entry: unknown) =>
      String(errorBody(await expectApiError(server.api.call('PATCH', `/cronjobs/${source.id}`, [200], { triggers: { onSuccess: [b.name, entry] } }), 400)).message);
    assert.equal(await refusal({ job: c.name, params: { REGION: 'asia', TICKET: 'OPS-1' } }), 'triggers.onSuccess.1.params.REGION: must be one of eu, us');
    assert.equal(await refusal({ job: c.name, params: { REGION: 'eu', TICKET: 'ops 1' } }), 'triggers.onSuccess.1.params.TICKET: must match the pattern [A-Z]+-[0-9]+');
    assert.equal(await refusal({ job: c.name, params: { REGION: 'eu' } }), 'triggers.onSuccess.1.params.TICKET: required');
    assert.equal(await refusal({ job: c.name, params: { TICKET: 'OPS-1', ZONE: 'a' } }), `triggers.onSuccess.1.params.ZONE: not a parameter of cron job '${c.name}' (it has REGION, TICKET)`);
    assert.equal(await refusal({ job: c.name, params: { TICKET: 7 } }), 'triggers.onSuccess.1.params.TICKET: must be a string');
    const create = await expectApiError(server.api.call('POST', '/cronjobs', [201], { name: `source-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' }, triggers: { onFailure: [{ job: c.name, params: {} }] } }), 400);
    assert.equal(String(errorBody(create).message), 'triggers.onFailure.0.params.TICKET: required');
    assert.deepEqual((await server.api.call<{ triggers: unknown }>('GET', `/cronjobs/${source.id}`, [200])).triggers, {});
  });

  it("does not start a chained job whose params no longer take its trigger's values, and logs why", async () => {
    const c = await chainTarget('changed', [REGION_PARAM]);
    const source = await server.api.call<{ id: number; name: string }>('POST', '/cronjobs', [201], {
      name: `source-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' }, triggers: { onComplete: [{ job: c.name, params: { REGION: 'eu' } }] },
    });
    // The target's params change after the trigger was saved: eu is no longer a region.
    await server.api.call('PATCH', `/cronjobs/${c.id}`, [200], { params: [{ name: 'REGION', enum: ['us', 'asia'], default: 'us' }] });
    const { taskId } = await server.api.call<{ taskId: number }>('POST', `/cronjobs/${source.id}/run`, [202], {});
    await outputOf(server.api, taskId);
    const warning = `triggers '${c.name}', not started: params.REGION: must be one of us, asia (the values the trigger of '${source.name}' gives no longer fit the params of '${c.name}'; change that trigger)`;
    await waitFor(async () => server.process.output(200_000).includes(warning), { timeoutMs: 20_000, what: 'the warning that the chained job was not started', details: logs });
    assert.deepEqual((await server.api.listTasks({ cronjobId: c.id })).items, [], 'no task of the target');
  });
});

describe("the dashboard's Run dialog in headless Chromium", { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  let dash: DashboardBrowser | undefined;
  const logs = (): string => [server?.process.report(), worker?.report(), dash?.consoleErrors.join('\n')].filter(Boolean).join('\n');

  before(
    async () => {
      dash = await openDashboardBrowser();
      server = await startServer({ backend: 'embedded' });
      worker = startWorker(server, `e2e-params-dash-${randomId()}`);
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

  it("fills the job's params in a form, shows the server's error under the param, and offers overrides to admins only", async () => {
    const page = dash!.page;
    const job = await server.api.call<{ id: number; name: string }>('POST', '/cronjobs', [201], { name: `dash-params-${randomId()}`, schedule: FAR_SCHEDULE, enabled: false, runner: 'command', spec: PRINT_PARAMS, params: PARAMS });
    const operatorToken = (await server.api.createToken({ name: `dash-operator-${randomId()}`, role: 'operator' })).token;
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await signIn(page, operatorToken, 'operator');
    await page.getByRole('heading', { name: job.name }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run with overrides…' }).count(), 0, 'an operator is not offered args/env overrides');
    await page.getByRole('button', { name: 'Run now…' }).click();
    const dialog = page.getByRole('dialog', { name: `Run ${job.name}` });
    await dialog.waitFor();
    assert.equal(await dialog.getByText('Admin overrides').count(), 0);
    assert.equal(await dialog.getByLabel('REGION').inputValue(), 'eu', 'the default is filled in');
    await dialog.getByLabel('X *').fill('$(id)');
    await dialog.getByLabel('TICKET').fill('not a ticket');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.locator('.field-error').filter({ hasText: 'params.TICKET: must match the pattern [A-Z]+-[0-9]+' }).waitFor();
    await dialog.getByLabel('TICKET').fill('OPS-1');
    await dialog.getByLabel('REGION').selectOption('us');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await page.locator('.toast-ok').filter({ hasText: /task #\d+ created/ }).waitFor();
    const taskId = Number(/#(\d+)/.exec((await page.locator('.toast-ok').last().textContent()) ?? '')![1]);
    const task = await waitForTaskEnd(server.api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(task.status, 'success', logs());
    assert.equal(await server.api.taskOutput(taskId), '$(id)|us');

    // An admin also gets the free-form overrides, apart from the params.
    await page.evaluate('localStorage.clear(); sessionStorage.clear()');
    await page.reload();
    await signIn(page, server.adminToken, 'admin');
    await page.getByRole('button', { name: 'Run with overrides…' }).click();
    await dialog.getByText('Admin overrides').waitFor();
    await dialog.getByLabel('X *').fill('from-admin');
    await dialog.getByLabel(/^Arguments/).fill(['-c', 'printf "args-%s" "$CRONFLEET_PARAM_X"'].join('\n'));
    await dialog.getByRole('button', { name: 'Run' }).click();
    await page.locator('.toast-ok').filter({ hasText: /task #\d+ created/ }).last().waitFor();
    const adminTask = Number(/#(\d+)/.exec((await page.locator('.toast-ok').last().textContent()) ?? '')![1]);
    await waitForTaskEnd(server.api, adminTask, { timeoutMs: 20_000, details: logs });
    assert.equal(await server.api.taskOutput(adminTask), 'args-from-admin');
    assert.deepEqual(dash!.consoleErrors.filter((e) => !/status of 400/.test(e)), []);
  });
});
