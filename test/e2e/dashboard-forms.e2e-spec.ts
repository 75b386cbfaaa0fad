// The job editor's advanced settings as forms (issue 21), in real headless Chromium against a real server
// and worker: each setting filled in, saved, found after a reload and in the API (secrets never shown back);
// refusals under their fields; "Edit as JSON" round trips; an existing `@every` job's preview on its grid;
// a run with params (and admin overrides) from the Run dialog.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { openDashboardBrowser, signIn } from './browser';
import { assertNoLeakedProcesses, RUN_ID, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

type Job = Record<string, unknown> & { id: number; name: string; secretEnvKeys: string[]; version: number };

describe('job settings as forms in the web dashboard', { timeout: 240_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  const tag = randomId();
  const workerName = `e2e-dash-forms-${tag}`;
  const secret = `s3cret-${randomId()}`;
  const headerValue = `Bearer hdr-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report(), consoleErrors.join('\n')].filter(Boolean).join('\n');
  const getJob = (id: number) => server.api.call<Job>('GET', `/cronjobs/${id}`, [200]);
  const setting = (id: string): Locator => page.locator(`section[data-setting="${id}"]`);
  const named = (name: string): Locator => page.locator(`[name="${name}"]`);
  /** The value of a setting as its JSON view shows it (opening that view, and leaving it open). */
  const jsonOf = async (id: string): Promise<unknown> => {
    const s = setting(id);
    if ((await s.getByRole('button', { name: 'Edit as JSON' }).count()) > 0) await s.getByRole('button', { name: 'Edit as JSON' }).click();
    return JSON.parse(await s.locator('textarea').inputValue());
  };
  /** Types each value into the input of that name, in order. */
  const fill = async (values: Record<string, string>) => {
    for (const [n, v] of Object.entries(values)) await named(n).fill(v);
  };
  /** Adds a row to a setting's name/value rows and fills its inputs, by their labels. */
  const addRow = async (id: string, button: string, inputs: Record<string, string>) => {
    await setting(id).getByRole('button', { name: button }).click();
    for (const [label, v] of Object.entries(inputs)) await setting(id).getByLabel(label, { exact: true }).fill(v);
  };
  const toForm = (id: string) => setting(id).getByRole('button', { name: 'Edit as form' }).click();
  let [target, jobId]: [Job | null, number] = [null, 0];

  before(async () => {
    ({ browser, page, consoleErrors } = await openDashboardBrowser());
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, workerName, { labels: { zone: 'eu-1' } });
    await waitForWorkerOnline(server.api, { details: logs });
    // The job the form's trigger starts, with a param the trigger gives a value.
    target = await server.api.call<Job>('POST', '/cronjobs', [201], {
      name: `target-${tag}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'true' },
      params: [{ name: 'REGION', enum: ['eu', 'us'], default: 'eu' }],
    });
    await page.goto(server.url);
    await signIn(page, server.adminToken, 'admin');
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('fills in every advanced setting through its form, saves, and finds each as saved after a reload and in the API', async () => {
    const name = `forms-${tag}`;
    await page.goto(`${server.url}/#/jobs/new`);
    await page.getByLabel(/^Name(?!space)/).fill(name);
    await page.getByLabel('Schedule').fill('@yearly');
    await page.getByLabel('Spec (JSON)').fill(JSON.stringify({ command: 'true' }));

    // Params: a required one with a pattern and a default, and one of a list.
    await setting('params').getByRole('button', { name: 'Add param' }).click();
    await named('param-0-required').check();
    await named('param-0-allowed').selectOption('pattern');
    await fill({ 'param-0-name': 'TICKET', 'param-0-description': 'the ticket this run is for', 'param-0-default': 'OPS-1', 'param-0-pattern': '[A-Z]+-[0-9]+' });
    await setting('params').getByRole('button', { name: 'Add param' }).click();
    await named('param-1-allowed').selectOption('enum');
    await fill({ 'param-1-name': 'SIZE', 'param-1-enum': 'small, large', 'param-1-default': 'small' });
    // Retry: fixed backoff without jitter.
    await named('retry-on').check();
    await fill({ 'retry-maxRetries': '2', 'retry-delaySeconds': '5', 'retry-maxDelaySeconds': '60' });
    await named('retry-backoff').selectOption('fixed');
    await named('retry-jitter').uncheck();
    // Environment and a secret.
    await addRow('env', 'Add variable', { 'Variable 1': 'LOG_LEVEL', 'Value 1': 'debug' });
    await addRow('env', 'Add variable', { 'Variable 2': 'MODE', 'Value 2': 'batch' });
    await setting('secretEnv').getByRole('button', { name: 'Add secrets…' }).click();
    await addRow('secretEnv', 'Add secret', { 'Secret 1': 'API_KEY', 'Secret value 1': secret });
    assert.equal(await setting('secretEnv').getByLabel('Secret value 1').getAttribute('type'), 'password');

    // A webhook on failure and timeout, with a header.
    await setting('notify').getByRole('button', { name: 'Add notification rule' }).click();
    await named('notify-0-on-timeout').check();
    await named('notify-0-url').fill('http://127.0.0.1:9/hook');
    await addRow('notify', 'Add header', { 'Header 1': 'Authorization', 'Header value 1': headerValue });

    // On success, start the target with a value for its param.
    await setting('triggers').locator('[data-list="onSuccess"]').getByRole('button', { name: /Add job/ }).click();
    await setting('triggers').getByLabel('triggers.onSuccess.0 job').fill(target!.name);
    await addRow('triggers', 'Give a param', { 'Param 1': 'REGION', 'Param value 1': 'us' });

    // Workers labelled zone=eu-1 and named ours, one after the other; then history and policies.
    await named('routing').selectOption('roundRobin');
    await named('selector-on').check();
    await addRow('routing', 'Add label', { 'Label 1': 'zone', 'Label value 1': 'eu-1' });
    await named('selector-names').fill(workerName);
    await named('misfirePolicy').selectOption('catchUp');
    await fill({ historyLimit: '50', historyDays: '7', catchUpLimit: '3', startingDeadlineSeconds: '120', jitterSeconds: '5', priority: '10', maxOutputBytes: '65536' });

    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name }).waitFor();
    jobId = Number(/#\/jobs\/(\d+)/.exec(page.url())![1]);

    // As stored: exactly what the forms said.
    const job = await getJob(jobId);
    assert.deepEqual(job.params, [
      { name: 'TICKET', description: 'the ticket this run is for', default: 'OPS-1', required: true, pattern: '[A-Z]+-[0-9]+' },
      { name: 'SIZE', default: 'small', required: false, enum: ['small', 'large'] },
    ]);
    assert.deepEqual(job.retry, { maxRetries: 2, backoff: 'fixed', delaySeconds: 5, maxDelaySeconds: 60, jitter: false });
    assert.deepEqual(job.env, { LOG_LEVEL: 'debug', MODE: 'batch' });
    assert.deepEqual(job.secretEnvKeys, ['API_KEY']);
    assert.deepEqual(job.notify, [{ on: ['failure', 'timeout'], webhook: { url: 'http://127.0.0.1:9/hook', headerNames: ['Authorization'] } }]);
    assert.deepEqual(job.triggers, { onSuccess: [{ job: target!.name, params: { REGION: 'us' } }] });
    assert.equal(job.routing, 'roundRobin');
    assert.deepEqual(job.workerSelector, { labels: { zone: 'eu-1' }, names: [workerName] });
    assert.deepEqual([job.historyLimit, job.historyDays], [50, 7]);
    assert.deepEqual(
      [job.misfirePolicy, job.catchUpLimit, job.startingDeadlineSeconds, job.jitterSeconds, job.priority, job.maxOutputBytes],
      ['catchUp', 3, 120, 5, 10, 65536],
    );

    // The job page says them in words; the secret and the header value appear nowhere.
    const summary = page.getByTestId('settings-summary');
    await summary.locator('[data-setting="retry"]').filter({ hasText: 'up to 2 retries, every 5 s' }).waitFor();
    assert.equal(await summary.locator('[data-setting="routing"]').textContent(), `labelled zone=eu-1, named ${workerName}; routing roundRobin`);
    assert.equal(await summary.locator('[data-setting="triggers"]').textContent(), `On success → ${target!.name} (REGION=us)`);
    assert.equal(await summary.locator('[data-setting="notify"]').textContent(), 'failure, timeout → webhook http://127.0.0.1:9/hook (headers Authorization)');
    assert.equal(await summary.locator('[data-setting="history"]').textContent(), 'the newest 50 tasks, for 7 days');
    assert.match((await summary.locator('[data-setting="secretEnv"]').textContent()) ?? '', /^API_KEY \(values never shown\)$/);

    // Reloaded into the editor: every form as saved.
    await page.goto(`${server.url}/#/jobs/${jobId}/edit`);
    await page.reload();
    await named('retry-maxRetries').waitFor();
    const shown = { 'retry-maxRetries': '2', 'retry-backoff': 'fixed', 'param-0-pattern': '[A-Z]+-[0-9]+', 'param-1-enum': 'small, large', 'notify-0-url': 'http://127.0.0.1:9/hook', 'selector-names': workerName, catchUpLimit: '3', maxOutputBytes: '65536' };
    for (const [n, v] of Object.entries(shown)) assert.equal(await named(n).inputValue(), v, n);
    assert.equal(await named('retry-jitter').isChecked(), false);
    assert.equal(await setting('env').getByLabel('Value 2').inputValue(), 'batch');
    assert.equal(await setting('notify').getByLabel('Header value 1').inputValue(), '', 'a header value is never shown back');
    assert.equal(await setting('triggers').getByLabel('Param value 1').inputValue(), 'us');
    assert.match((await setting('secretEnv').getByTestId('secret-names').textContent()) ?? '', /Stored: API_KEY/);
    const html = await page.content();
    assert.ok(!html.includes(secret) && !html.includes(headerValue), 'no stored secret nor header value in the page');
    assert.ok(!JSON.stringify(job).includes(secret), 'nor in the API');

    // Saving unchanged sends no setting: no new version, the secret and the header stay.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast-ok').filter({ hasText: `${name} saved` }).waitFor();
    const again = await getJob(jobId);
    assert.equal(again.version, job.version);
    assert.deepEqual([again.secretEnvKeys, again.notify], [job.secretEnvKeys, job.notify]);
    assert.deepEqual(consoleErrors, []);
  });

  it("shows the server's refusals on their fields, and asks again for a header value a changed rule would lose", async () => {
    await page.goto(`${server.url}/#/jobs/${jobId}/edit`);
    await named('retry-maxRetries').fill('101');
    await named('notify-0-url').fill('ftp://example.com/hook');
    await setting('notify').getByLabel('Header value 1').fill(headerValue);
    await named('param-1-default').fill('medium');
    await page.getByRole('button', { name: 'Save' }).click();
    // Each under its own input (the field's label holds its message), none only at the top.
    await setting('retry').locator('.field-error').filter({ has: named('retry-maxRetries') }).filter({ hasText: 'must be at most 100' }).waitFor();
    await setting('notify').locator('.field-error').filter({ has: named('notify-0-url') }).filter({ hasText: 'must be an http:// or https:// URL' }).waitFor();
    await setting('params').locator('.field-error').filter({ has: named('param-1-default') }).filter({ hasText: /small, large/ }).waitFor();
    await page.getByRole('alert').filter({ hasText: '3 fields need fixing' }).waitFor();
    assert.deepEqual((await getJob(jobId)).retry, { maxRetries: 2, backoff: 'fixed', delaySeconds: 5, maxDelaySeconds: 60, jitter: false }, 'nothing saved');

    // A changed rule whose stored header value was not typed again is not sent: the header row says why.
    await page.reload();
    await named('notify-0-on-success').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await setting('notify').locator('[data-row="Authorization"]').filter({ hasText: 'type the header value again' }).waitFor();
    await setting('notify').getByLabel('Header value 1').fill(headerValue);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`#/jobs/${jobId}(\\?|$)`)); // saved: on the job's page
    assert.deepEqual((await getJob(jobId)).notify, [{ on: ['failure', 'timeout', 'success'], webhook: { url: 'http://127.0.0.1:9/hook', headerNames: ['Authorization'] } }]);
  });

  it('edits each setting as JSON and back: JSON → form → JSON is the same value, and edits in either view are kept', async () => {
    await page.goto(`${server.url}/#/jobs/${jobId}/edit`);
    await named('retry-maxRetries').waitFor();
    const stored = await getJob(jobId);
    const expected: Record<string, unknown> = {
      params: stored.params,
      retry: stored.retry,
      env: stored.env,
      notify: [{ on: ['failure', 'timeout', 'success'], webhook: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: null } } }],
      triggers: stored.triggers,
      routing: { routing: stored.routing, workerSelector: stored.workerSelector },
      history: { historyLimit: 50, historyDays: 7 },
      policies: { misfirePolicy: 'catchUp', catchUpLimit: 3, startingDeadlineSeconds: 120, jitterSeconds: 5, priority: 10, maxOutputBytes: 65536 },
    };
    for (const [id, value] of Object.entries(expected)) {
      assert.deepEqual(await jsonOf(id), value, `${id} as JSON`);
      await toForm(id);
      assert.deepEqual(await jsonOf(id), value, `${id}: JSON → form → JSON`);
      await toForm(id);
    }
    assert.equal(await setting('secretEnv').getByRole('button', { name: 'Edit as JSON' }).count(), 0, 'no JSON view of secrets');

    // An edit as JSON shows in the form; one in the form shows in the JSON.
    await jsonOf('retry');
    await setting('retry').locator('textarea').fill(JSON.stringify({ ...(expected.retry as object), maxRetries: 4, backoff: 'exponential' }));
    await toForm('retry');
    assert.equal(await named('retry-maxRetries').inputValue(), '4');
    assert.equal(await named('retry-backoff').inputValue(), 'exponential');
    await setting('env').getByRole('button', { name: 'Add variable' }).click();
    await setting('env').getByLabel('Variable 3').fill('REGION_HINT');
    await setting('env').getByLabel('Value 3').fill('north');
    assert.deepEqual(await jsonOf('env'), { LOG_LEVEL: 'debug', MODE: 'batch', REGION_HINT: 'north' });
    // Invalid JSON keeps the last valid value and the view until it is fixed.
    await setting('env').locator('textarea').fill('{ "LOG_LEVEL": ');
    await setting('env').getByText(/not valid JSON/).waitFor();
    assert.equal(await setting('env').getByRole('button', { name: 'Edit as form' }).isDisabled(), true);
    await setting('env').locator('textarea').fill(JSON.stringify({ LOG_LEVEL: 'info', REGION_HINT: 'north' }));
    await toForm('env');
    assert.equal(await setting('env').getByLabel('Value 1').inputValue(), 'info');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`#/jobs/${jobId}(\\?|$)`)); // saved: on the job's page
    const saved = await getJob(jobId);
    assert.deepEqual(saved.env, { LOG_LEVEL: 'info', REGION_HINT: 'north' });
    assert.deepEqual(saved.retry, { maxRetries: 4, backoff: 'exponential', delaySeconds: 5, maxDelaySeconds: 60, jitter: false });
    assert.deepEqual(saved.secretEnvKeys, ['API_KEY'], 'the secret stays');
  });

  it("previews an existing @every job's next runs on its own grid, as its page shows them", async () => {
    const job = await server.api.call<Job & { createdAt: string }>('POST', '/cronjobs', [201], { name: `every-${tag}`, schedule: '@every 6h', runner: 'command', spec: { command: 'true' } });
    // Loaded a few seconds after the job was made: a preview counted from page load would be off by them.
    await waitFor(async () => Date.now() - Date.parse(job.createdAt) > 2500, { timeoutMs: 5000, what: '2.5 s since the job was made' });
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.locator('.next-runs li').nth(4).waitFor();
    const onPage = (await page.locator('.next-runs li').allTextContents()).map((t) => t.replace(/\s*\(.*\)$/, ''));
    await page.goto(`${server.url}/#/jobs/${job.id}/edit`);
    await waitFor(async () => (await page.locator('.preview li').count()) === 5, { timeoutMs: 10_000, what: 'five previewed runs' });
    const previewed = await page.locator('.preview li').allTextContents();
    assert.deepEqual(previewed, onPage);
    const { next } = await server.api.call<{ next: string[] }>('GET', `/cronjobs/${job.id}/next?count=1`, [200]);
    assert.equal((Date.parse(next[0]) - Date.parse(job.createdAt)) % (6 * 3600_000), 0, "on the job's grid");
  });

  it("runs a job with params from the Run dialog, the server's refusal under its param, and admin overrides apart", async () => {
    const job = await server.api.call<Job>('POST', '/cronjobs', [201], {
      name: `run-params-${tag}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'echo "ticket=$CRONFLEET_PARAM_TICKET region=$CRONFLEET_PARAM_REGION extra=$EXTRA"', RUN_ID] },
      params: [
        { name: 'TICKET', required: true, pattern: '[A-Z]+-[0-9]+', description: 'the ticket' },
        { name: 'REGION', enum: ['eu', 'us'], default: 'eu' },
      ],
    });
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByRole('button', { name: 'Run with overrides…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('legend').filter({ hasText: 'Parameters declared by the job' }).waitFor();
    await dialog.locator('legend').filter({ hasText: 'Admin overrides free-form' }).waitFor();
    assert.equal(await dialog.locator('[name="param-REGION"]').inputValue(), 'eu', 'the default, preselected');
    await dialog.locator('[name="param-TICKET"]').fill('not a ticket');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.locator('.field-error').filter({ has: named('param-TICKET') }).filter({ hasText: /match/ }).waitFor();
    await dialog.locator('[name="param-TICKET"]').fill('OPS-42');
    await dialog.locator('[name="param-REGION"]').selectOption('us');
    await dialog.getByRole('button', { name: 'Add variable' }).click();
    await dialog.getByLabel('Variable 1').fill('EXTRA');
    await dialog.getByLabel('Value 1').fill('yes');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await page.locator('.toast-ok').filter({ hasText: /task #\d+ created/ }).waitFor();
    const taskId = Number(/#(\d+)/.exec((await page.locator('.toast-ok').last().textContent()) ?? '')![1]);
    const t = await waitForTaskEnd(server.api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(t.status, 'success');
    assert.match(await server.api.taskOutput(taskId), /ticket=OPS-42 region=us extra=yes/);

    // Run now… (params only, for any operator) with the defaults: a required param without one is refused on its field.
    await page.getByRole('button', { name: 'Run now…' }).click();
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.locator('.field-error').filter({ has: named('param-TICKET') }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // The refusals this file asked for are the only failed loads (400s, which the browser logs).
    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e)), [], logs());
  });
});
