// The web dashboard end to end in real headless Chromium (Debian's, driven by playwright-core; see
// scripts/chromium.sh): sign in with the token, create a cron job with the schedule preview, watch it
// run and read its output, kill a running task from its page while its output streams live, filter
// the task history, read a job's versions and roll one back, see the workers and the scheduler.
// Each page is also looked at 1024 and 390 px wide, where it must not scroll sideways, and the jobs
// table's last button must stay within reach. CRONFLEET_SCREENSHOTS=<dir> keeps a screenshot of each
// main page at 1400, 1024 and 390 px there (`npm run docs:screenshots` refreshes docs/screenshots/).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertReachable, atWidths, NARROW_WIDTHS, openDashboardBrowser, signIn } from './browser';
import { assertNoLeakedProcesses, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

describe('web dashboard in headless Chromium', { timeout: 240_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let shot: (name: string) => Promise<void>;
  const workerName = `e2e-dash-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report(), consoleErrors.join('\n')].filter(Boolean).join('\n');

  before(async () => {
    ({ browser, page, consoleErrors, shot } = await openDashboardBrowser());
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, workerName, { labels: { zone: 'eu-1', disk: 'ssd' } });
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('serves the built app with a strict content security policy and refuses a wrong token', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    assert.match(html, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/, 'index.html references the bundled script');
    assert.ok(!/https?:\/\//.test(html.replace(/xmlns="[^"]*"/g, '')), 'index.html loads nothing from elsewhere');

    await page.goto(server.url);
    await shot('login');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /token/i }).waitFor();
    await page.getByLabel('API token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cron jobs' }).waitFor();
  });

  it('creates a job with a live schedule preview, names the bad field, and shows its runs', async () => {
    const name = `dash-hello-${randomId()}`;
    // A neighbour that fails every 2 s, so the list shows both colours.
    const failing = await server.api.createCronJob({ name: `dash-flaky-${randomId()}`, schedule: '*/2 * * * * *', runner: 'command', spec: { command: 'sh', args: ['-c', 'echo checking; exit 3'] } });
    await page.getByRole('link', { name: 'New job' }).click();
    await page.getByLabel(/^Name(?!space)/).fill(name); // not the Namespace field
    await page.getByLabel('Time zone').fill('Asia/Tokyo');
    await page.getByLabel('Schedule').fill('61 * * * *');
    await page.locator('.preview .field-message').filter({ hasText: /61/ }).waitFor();
    await page.getByLabel('Schedule').fill('*/2 * * * * *');
    await waitFor(async () => (await page.locator('.preview li').count()) === 5, { timeoutMs: 10_000, what: 'five previewed runs' });
    const first = await page.locator('.preview li').first().textContent();
    assert.match(first ?? '', /^\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.getByLabel('Spec (JSON)').fill(JSON.stringify({ command: 'sh', args: ['-c', 'echo hello-from-dashboard'] }, null, 2));
    await page.locator('[name="retry-on"]').check();
    await page.locator('[name="retry-maxRetries"]').fill('-1');
    await page.getByRole('button', { name: 'Create' }).click();
    // The server's message names the field, shown under its input; nothing was created.
    await page.locator('section[data-setting="retry"] .field-error').filter({ hasText: 'must be at least 0' }).waitFor();
    assert.equal((await server.api.listCronJobs()).items.filter((j) => j.name === name).length, 0);
    await page.locator('[name="retry-on"]').uncheck();
    await shot('job-editor');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name }).waitFor();

    // Runs every 2 s: the strip fills with successes; a square leads to the task and its output.
    await page.locator('.timeline .tl-success').first().waitFor({ timeout: 30_000 });
    await shot('job');
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    await page.locator(`tr[data-job="${name}"] .tl-success`).first().waitFor();
    await page.locator(`tr[data-job="${failing.name}"] .tl-failed`).first().waitFor();
    await shot('jobs');
    // A row's last button stays within reach on a small laptop and a phone (it was cut off at 1024 px).
    await atWidths(page, NARROW_WIDTHS, (w) => assertReachable(page, `tr[data-job="${name}"] button:text-is("Delete")`, `the Delete button at ${w} px`));
    await server.api.call('POST', `/cronjobs/${failing.id}/pause`, [200]);
    await page.locator(`tr[data-job="${name}"] .tl-success`).first().click();
    await page.getByTestId('output').filter({ hasText: 'hello-from-dashboard' }).waitFor();
    assert.match((await page.locator('h1').textContent()) ?? '', /success/);
    await page.getByTestId('worker').filter({ hasText: workerName }).waitFor(); // its name, as in the lists

    // Pause from the list: the job stops and the row says so.
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    await page.locator(`tr[data-job="${name}"]`).getByRole('button', { name: 'Pause' }).click();
    await page.locator(`tr[data-job="${name}"] .badge-paused`).waitFor();
    const job = (await server.api.listCronJobs()).items.find((j) => j.name === name)!;
    assert.equal(job.enabled, false);

    // Edit it: the form sends the job back with what it read (read-only fields left out), and the change is a version.
    await page.goto(`${server.url}/#/jobs/${job.id}/edit`);
    await page.getByLabel('Schedule').fill('*/5 * * * * *');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast-ok').filter({ hasText: `${name} saved` }).waitFor();
    assert.equal((await server.api.getCronJob(job.id)).schedule, '*/5 * * * * *');
    const versions = await server.api.call<{ items: { kind: string; changes: { field: string }[] }[] }>('GET', `/cronjobs/${job.id}/versions`, [200]);
    assert.deepEqual(versions.items[0].changes.map((c) => c.field), ['schedule']);
  });

  it('follows a running task\'s output live and kills it from its page', async () => {
    const name = `dash-long-${randomId()}`;
    const job = await server.api.createCronJob({
      name,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'echo started; i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done'] },
    });
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.locator('.tasks-table .empty').filter({ hasText: 'No task has run yet.' }).waitFor(); // not a table with nothing in it
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.locator('.toast-ok').filter({ hasText: /task #\d+ created/ }).waitFor();
    const taskId = Number(/#(\d+)/.exec((await page.locator('.toast-ok').last().textContent()) ?? '')![1]);
    await page.goto(`${server.url}/#/tasks/${taskId}`);
    await page.getByTestId('output').filter({ hasText: 'tick-3' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('output-state').textContent(), 'live');
    // Output keeps arriving without a reload.
    const before = ((await page.getByTestId('output').textContent()) ?? '').length;
    await waitFor(async () => ((await page.getByTestId('output').textContent()) ?? '').length > before + 10, { timeoutMs: 10_000, what: 'more live output' });
    await shot('task-live');
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.locator('h1 .badge-killed').waitFor({ timeout: 20_000 });
    const t = await waitForTaskEnd(server.api, taskId, { timeoutMs: 10_000, details: logs });
    assert.equal(t.status, 'killed');
    await page.getByTestId('output-state').filter({ hasText: 'done' }).waitFor();

    // The history finds it by job and status, and offers a retry.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Status').selectOption('killed');
    // An empty table (the filtered page still loading) is not yet the answer: wait for the killed task too.
    await waitFor(
      async () => (await page.locator('tr[data-task]:not([data-status="killed"])').count()) === 0 && (await page.locator(`tr[data-task="${taskId}"]`).count()) === 1,
      { timeoutMs: 10_000, what: 'only killed tasks listed, the killed one among them' },
    );
    assert.deepEqual(await page.locator('tr[data-task]').evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { task: string } }).dataset.task))), [taskId]);
    await page.locator(`tr[data-task="${taskId}"]`).getByRole('button', { name: 'Retry' }).waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.locator('tr[data-status="success"]').first().waitFor();
    await shot('tasks');
  });

  it('shows the workers with their labels and load, drains one, and shows the scheduler', async () => {
    await page.getByRole('link', { name: 'Workers' }).click();
    const row = page.locator('tr[data-worker^="e2e-dash-"]');
    await row.locator('.badge-online').waitFor();
    assert.match((await row.textContent()) ?? '', /zone=eu-1/);
    await row.getByRole('button', { name: 'Drain' }).click();
    await row.locator('.badge-draining').waitFor();
    await row.getByRole('button', { name: 'Undrain' }).click();
    await row.getByRole('button', { name: 'Drain' }).waitFor();

    await page.getByRole('link', { name: 'Scheduler' }).click();
    await page.getByTestId('leader').waitFor();
    const status = await server.api.call<{ leader: string }>('GET', '/scheduler', [200]);
    assert.equal(await page.getByTestId('leader').textContent(), status.leader);
    await page.getByTestId('lag').filter({ hasText: /ms|–/ }).waitFor();
    await shot('scheduler');
    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], logs());
  });

  it('creates a namespace with quotas on its page, picks it, runs a job in it and shows its usage', async () => {
    const ns = `team-${randomId()}`;
    const name = `dash-ns-${randomId()}`;
    const picker = page.getByLabel('Namespace', { exact: true }); // the header's; the editor's field has a hint
    await page.getByRole('link', { name: 'Namespaces' }).click();
    await page.locator('tr[data-namespace="default"]').waitFor();
    await page.getByRole('button', { name: 'New namespace' }).click();
    await page.getByLabel(/^Name(?!space)/).fill(ns);
    await page.getByLabel('Description').fill('the dashboard test');
    await page.getByLabel('Max cron jobs').fill('1');
    await page.getByLabel('Max concurrent tasks').fill('1');
    await page.getByRole('button', { name: 'Create' }).click();
    const row = page.locator(`tr[data-namespace="${ns}"]`);
    await row.getByTestId('jobs-usage').filter({ hasText: '0 / 1' }).waitFor();
    assert.equal((await row.getByTestId('tasks-usage').textContent())?.trim(), '0 / 1');
    assert.equal((await page.locator('tr[data-namespace="default"]').getByTestId('jobs-usage').textContent())?.trim(), `${(await server.api.listCronJobs()).items.length} / no limit`);

    // Picked in the header, it is where a new job goes; a reload keeps the pick.
    await picker.selectOption(ns);
    await page.reload();
    assert.equal(await picker.inputValue(), ns);
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    await page.getByRole('link', { name: 'New job' }).click();
    assert.equal(await page.locator('select[name="namespace"]').inputValue(), ns);
    await page.getByLabel(/^Name(?!space)/).fill(name);
    await page.getByLabel('Schedule').fill('@yearly');
    await page.getByLabel('Spec (JSON)').fill(JSON.stringify({ command: 'sh', args: ['-c', 'echo in-namespace; sleep 60'] }));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name }).getByTestId('namespace').filter({ hasText: ns }).waitFor();
    const job = (await server.api.call<{ items: { id: number; name: string; namespace: string }[] }>('GET', `/cronjobs?namespace=${ns}`, [200])).items;
    assert.deepEqual(job.map((j) => [j.name, j.namespace]), [[name, ns]]);

    // Its quota of one running task: the second run waits, and says why.
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.locator('.toast-ok').filter({ hasText: /task #\d+ created/ }).waitFor();
    await waitFor(async () => (await server.api.listTasks({ cronjobId: job[0].id })).items.some((t) => t.status === 'running'), { timeoutMs: 20_000, what: 'the first run running', details: logs });
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.locator('tr[data-status="pending"]').filter({ hasText: `namespace '${ns}' is at its quota of 1 concurrent task` }).waitFor();
    assert.equal(await page.locator('tr[data-task] [data-testid="namespace"]').count(), 0, 'one namespace picked: no namespace column');

    // All namespaces: the list says where each job lives.
    await picker.selectOption('');
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    assert.equal(await page.locator(`tr[data-job="${name}"] [data-testid="namespace"]`).textContent(), ns);
    await page.locator('tr[data-job] [data-testid="namespace"]').filter({ hasText: /^default$/ }).first().waitFor();

    // Usage against the quotas; a namespace that holds a job is not deleted, and the page says why.
    await page.getByRole('link', { name: 'Namespaces' }).click();
    await row.getByTestId('jobs-usage').filter({ hasText: '1 / 1' }).waitFor();
    await row.getByTestId('tasks-usage').filter({ hasText: '1 / 1' }).waitFor();
    await shot('namespaces');
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes' }).click();
    await page.locator('.toast-error').filter({ hasText: /^Delete: .*cron job/i }).waitFor();
    assert.equal(await row.count(), 1);

    // Emptied (its waiting task cancelled first, so it does not start when the running one is killed), it goes.
    const tasks = (await server.api.listTasks({ cronjobId: job[0].id })).items;
    for (const t of tasks.filter((t) => t.status === 'pending')) await server.api.send('DELETE', `/tasks/${t.id}`, [204]);
    for (const t of tasks.filter((t) => t.status === 'running')) await server.api.send('POST', `/tasks/${t.id}/kill`, [200, 202]);
    for (const t of tasks) await waitForTaskEnd(server.api, t.id, { timeoutMs: 20_000, details: logs });
    await server.api.deleteCronJob(job[0].id);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes' }).click();
    await row.waitFor({ state: 'detached' });
    // …and the picker no longer offers it.
    assert.equal(await picker.locator(`option[value="${ns}"]`).count(), 0);
  });

  it('shows a token scoped to a namespace that namespace only, with no namespace to pick or manage', async () => {
    const ns = `scoped-${randomId()}`;
    await server.api.call('POST', '/namespaces', [201], { name: ns, maxJobs: 5 });
    const job = await server.api.call<{ id: number }>('POST', '/cronjobs', [201], { namespace: ns, name: `dash-scoped-${randomId()}`, schedule: '@yearly', runner: 'command', spec: { command: 'true' } });
    const scoped = await server.api.createToken({ name: `dash-scoped-${randomId()}`, role: 'admin', namespace: ns });
    const picker = page.getByLabel('Namespace', { exact: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, scoped.token, 'admin');
    assert.match((await page.getByTestId('caller').textContent()) ?? '', new RegExp(`· ${ns}$`));
    assert.deepEqual(await picker.locator('option').allTextContents(), [ns]);
    assert.equal(await picker.isDisabled(), true);
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    await page.locator('tr[data-job]').first().waitFor();
    assert.equal(await page.locator('tr[data-job]').count(), 1, 'only its namespace’s job');
    // Its next run on the one scale of every relative time: the two largest units, days from 24 h on (not `in 47h` beside `in 3d`).
    const next = (await page.locator('tr[data-job] time').first().textContent()) ?? '';
    const units = /^in (?:\d+d(?: \d+h)?|(\d+)h(?: \d+m)?|\d+m(?: \d+s)?|\d+s)$/.exec(next);
    assert.ok(units && (units[1] === undefined || Number(units[1]) < 24), `next run '${next}'`);
    assert.equal(await page.locator('tr[data-job] [data-testid="namespace"]').count(), 0, 'no namespace column');
    await page.getByRole('link', { name: 'Namespaces' }).click();
    await page.locator(`tr[data-namespace="${ns}"]`).getByTestId('jobs-usage').filter({ hasText: '1 / 5' }).waitFor();
    assert.equal(await page.locator('tr[data-namespace]').count(), 1);
    assert.equal(await page.getByRole('button', { name: /New namespace|Edit|Delete/ }).count(), 0, 'namespaces are managed with a cluster-wide token');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server.adminToken, 'admin');
    await server.api.send('DELETE', `/tokens/${scoped.id}`, [204]);
    await server.api.deleteCronJob(job.id);
    await server.api.send('DELETE', `/namespaces/${ns}`, [204]);
  });

  it('answers the searches the dashboard makes, and names the bad parameter', async () => {
    const tag = randomId();
    for (const n of ['alpha', 'Beta', 'gamma']) await server.api.createCronJob({ name: `find-${tag}-${n}`, schedule: '@yearly', enabled: n !== 'gamma', runner: 'command', spec: { command: 'true' } });
    type Page = { items: { name: string; id: number }[]; nextCursor: string | null };
    const byName = await server.api.call<Page>('GET', `/cronjobs?q=${encodeURIComponent(`FIND-${tag}-b`)}`, [200]);
    assert.deepEqual(byName.items.map((j) => j.name), [`find-${tag}-Beta`], 'q matches part of the name in any case');
    const paused = await server.api.call<Page>('GET', `/cronjobs?q=find-${tag}&enabled=false`, [200]);
    assert.deepEqual(paused.items.map((j) => j.name), [`find-${tag}-gamma`]);
    const p1 = await server.api.call<Page>('GET', `/cronjobs?q=find-${tag}&limit=2`, [200]);
    const p2 = await server.api.call<Page>('GET', `/cronjobs?q=find-${tag}&limit=2&cursor=${p1.nextCursor}`, [200]);
    assert.deepEqual([...p1.items, ...p2.items].map((j) => j.name), ['alpha', 'Beta', 'gamma'].map((n) => `find-${tag}-${n}`));
    const literal = await server.api.call<Page>('GET', `/cronjobs?q=${encodeURIComponent('%')}`, [200]);
    assert.equal(literal.items.length, 0, "'%' is matched literally, not as a wildcard");

    const bad = await server.api.send('GET', '/cronjobs/timeline?ids=1,x', [400]);
    assert.match(bad.text, /ids.*positive whole numbers/);
    assert.match((await server.api.send('GET', '/tasks?since=yesterday', [400])).text, /since.*ISO-8601/);
    assert.match((await server.api.send('GET', '/tasks?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', [400])).text, /since.*before until/);
  });

  it('lists a job\'s versions with their changes, rolls back to one as admin, and shows a viewer no rollback', async () => {
    const name = `dash-versions-${randomId()}`;
    const secret = `hunter2-${randomId()}`;
    const job = await server.api.createCronJob({ name, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    const history = page.getByTestId('versions');
    const row = (v: number) => history.locator(`tr[data-version="${v}"]`);

    // First edit through the editor, the second through the API while the page is open: the live event brings it in.
    await page.goto(`${server.url}/#/jobs/${job.id}/edit`);
    await page.getByLabel('Schedule').fill('0 4 * * *');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name }).waitFor();
    await row(2).waitFor();
    assert.equal(await row(1).locator('.badge').textContent(), 'created');
    assert.equal((await row(2).locator('li[data-field="schedule"]').textContent())?.trim(), 'schedule: "@yearly" → "0 4 * * *"');
    await server.api.call('PATCH', `/cronjobs/${job.id}`, [200], { schedule: '*/15 * * * *', env: { TZ: 'UTC' }, secretEnv: { API_KEY: secret } });
    await row(3).waitFor();
    assert.match((await row(3).textContent()) ?? '', /admin \(admin\)/);
    assert.equal((await row(3).locator('li[data-field="env.TZ"]').textContent())?.trim(), 'env.TZ: null → "UTC"');
    assert.match((await row(3).locator('li[data-field="secretEnv"]').textContent()) ?? '', /value hidden/);
    assert.ok(!((await page.content()).includes(secret)), 'a secret value is never on the page');
    assert.match((await row(3).locator('time').getAttribute('title')) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.+Z\)$/, 'the exact time on hover');

    // Version 1's whole definition, and a rollback to it: a new version, the job's schedule as it was.
    await row(1).getByRole('link', { name: 'v1' }).click();
    const v1 = page.getByRole('region', { name: 'Version 1' });
    await v1.getByTestId('definition').locator('[data-field="schedule"] dd').filter({ hasText: '"@yearly"' }).waitFor();
    await v1.getByRole('button', { name: 'Roll back to this version' }).click();
    await v1.getByRole('button', { name: 'Yes' }).click();
    await page.locator('.toast-ok').filter({ hasText: 'rolled back to version 1: version 4 written' }).waitFor();
    await row(4).locator('.badge-rollback').waitFor();
    assert.match((await row(4).textContent()) ?? '', /rollback to v1/);
    assert.equal((await row(4).locator('li[data-field="schedule"]').textContent())?.trim(), 'schedule: "*/15 * * * *" → "@yearly"');
    await page.locator('dd code').filter({ hasText: /^@yearly$/ }).waitFor(); // the Schedule card, reloaded
    assert.equal((await server.api.getCronJob(job.id)).schedule, '@yearly');
    await page.evaluate("window.scrollBy(0, document.getElementById('history').getBoundingClientRect().top - 64)"); // just below the sticky header
    await shot('job-history');

    // A viewer reads the history and the definition but is offered no rollback.
    const viewer = await server.api.createToken({ name: `dash-versions-viewer-${randomId()}`, role: 'viewer' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, viewer.token, 'viewer');
    await page.goto(`${server.url}/#/jobs/${job.id}?version=1`);
    await page.getByRole('region', { name: 'Version 1' }).getByTestId('definition').waitFor();
    await row(4).waitFor();
    assert.equal(await history.locator('tr[data-version]').count(), 4);
    assert.equal(await page.getByRole('button', { name: 'Roll back to this version' }).count(), 0, 'a viewer sees no rollback button');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server.adminToken, 'admin');
    await server.api.send('DELETE', `/tokens/${viewer.id}`, [204]);
    await server.api.deleteCronJob(job.id);
  });

  it('shows a viewer only what it may do, returns to sign-in once its token is revoked, and signs out', async () => {
    const viewer = await server.api.createToken({ name: `dash-viewer-${randomId()}`, role: 'viewer' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(viewer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('caller').filter({ hasText: '(viewer)' }).waitFor();
    await page.getByRole('link', { name: 'Cron jobs' }).click();
    await page.locator('tr[data-job]').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run now' }).count(), 0, 'a viewer sees no run button');
    assert.equal(await page.getByRole('link', { name: 'New job' }).count(), 0, 'nor a new-job link');

    // Revoked while the page is open: the next call gets 401 and the page asks for a token again.
    await server.api.send('DELETE', `/tokens/${viewer.id}`, [204]);
    await page.getByRole('link', { name: 'Workers' }).click();
    await page.getByRole('alert').filter({ hasText: /sign in again/ }).waitFor();
    await page.getByLabel('API token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('caller').filter({ hasText: 'admin (admin)' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("cronfleet.token")'), null);
  });
});
