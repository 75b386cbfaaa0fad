// The workers page in real headless Chromium against a real server and worker processes (issue 21):
// a healthy worker whose one-shot task the plugin refused (InvalidSpec) shows no last error; its
// memory says used of total; a worker stopped cleanly is offline and no longer draining (on the page
// and through the API); an admin revokes and re-enrols it, each after a confirmation; a viewer is
// offered neither. Heartbeats every second, so a stopped worker is offline within seconds.
// At a phone's width the header's links are behind Menu. CRONFLEET_SCREENSHOTS=<dir> keeps
// workers-<width>.png and menu-390.png (`npm run docs:screenshots`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assertNoSidewaysScroll, atWidths, keepScreenshot, openDashboardBrowser, signIn } from './browser';
import { assertNoLeakedProcesses, randomId, repoRoot, startServer, startWorker, waitFor, waitForTaskEnd, waitForWorkerOnline, type TestProcess, type TestServer, type WorkerInfo } from './helpers';

const SLEEP_PLUGIN = join(repoRoot, 'examples/plugins/sleep-runner.mjs');

describe('the workers page in headless Chromium', { timeout: 120_000 }, () => {
  let server: TestServer;
  let steady: TestProcess;
  let leaver: TestProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let shot: (name: string) => Promise<void>;
  const names = { steady: `dash-w-steady-${randomId()}`, leaver: `dash-w-leaver-${randomId()}` };
  const logs = (): string => [server?.process.report(), steady?.report(), leaver?.report(), consoleErrors.join('\n')].filter(Boolean).join('\n');
  const row = (name: string) => page.locator(`tr[data-worker="${name}"]`);
  const workerNamed = async (name: string): Promise<WorkerInfo> => (await server.api.listWorkers()).items.find((w) => w.name === name)!;

  before(async () => {
    ({ browser, page, consoleErrors, shot } = await openDashboardBrowser());
    server = await startServer({ backend: 'embedded', env: { CRONFLEET_HEARTBEAT_SECONDS: '1' } });
    steady = startWorker(server, names.steady, { extraArgs: ['--plugin', SLEEP_PLUGIN], labels: { pool: 'plugins' } });
    leaver = startWorker(server, names.leaver);
    await waitForWorkerOnline(server.api, { count: 2, details: logs });
    await page.goto(server.url);
    await signIn(page, server.adminToken, 'admin');
  });
  after(async () => {
    await browser?.close();
    await steady?.stop();
    await leaver?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it("shows no last error on a worker whose task's spec was refused, and its host memory as used of total", async () => {
    // The plugin refuses the spec: the task fails with InvalidSpec, which is the task's fault, not the worker's.
    const { taskId } = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'sleep', spec: { seconds: 'soon' } }); // only the steady worker has the runner
    const failed = await waitForTaskEnd(server.api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal((failed.error as { code?: string } | null)?.code, 'InvalidSpec');
    const refusedAt = Date.now();
    // Two heartbeats later the worker's stats are still without an error.
    const beat = await waitFor(
      async () => {
        const w = await workerNamed(names.steady);
        return w.lastHeartbeatAt !== null && Date.parse(w.lastHeartbeatAt) > refusedAt + 1500 && w;
      },
      { timeoutMs: 10_000, what: 'two heartbeats after the refusal', details: logs },
    );
    assert.equal(beat.stats?.lastError, null, 'a refused spec is not the worker’s last error');

    await page.getByRole('link', { name: 'Workers' }).click();
    await row(names.steady).locator('.badge-online').waitFor();
    assert.equal(await row(names.steady).getByTestId('last-error').count(), 0);
    assert.match((await row(names.steady).getByTestId('host-memory').textContent()) ?? '', /^host: [\d.]+ [KMGT]?i?B used of [\d.]+ [KMGT]?i?B$/);
    // The task page names the worker as the lists do.
    await page.goto(`${server.url}/#/tasks/${taskId}`);
    await page.getByTestId('worker').filter({ hasText: names.steady }).waitFor();
  });

  it('shows a cleanly stopped worker offline and no longer draining, through the API and on the page', async () => {
    // Stopped (SIGTERM) while a task runs: it drains, says so in its heartbeats, and exits once the task is done.
    const job = await server.api.createCronJob({ name: `dash-w-last-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'sleep', args: ['3'] }, workerSelector: { names: [names.leaver] } });
    const { taskId } = await server.api.runCronJob(job.id);
    await waitFor(async () => (await server.api.getTask(taskId)).status === 'running', { timeoutMs: 20_000, what: 'its last task running', details: logs });
    const stopped = leaver.stop(10_000);
    await waitFor(async () => (await workerNamed(names.leaver)).shuttingDown === true, { timeoutMs: 10_000, what: `${names.leaver} shutting down`, details: logs });
    await stopped;
    assert.equal((await waitForTaskEnd(server.api, taskId, { timeoutMs: 10_000, details: logs })).status, 'success');
    const gone = await waitFor(
      async () => {
        const w = await workerNamed(names.leaver);
        return w.status === 'offline' && w;
      },
      { timeoutMs: 20_000, what: `${names.leaver} offline`, details: logs },
    );
    assert.deepEqual([gone.draining, gone.shuttingDown, gone.drained], [false, false, false], 'its shutdown is over: not draining');
    await page.getByRole('link', { name: 'Workers' }).click();
    await row(names.leaver).locator('.badge-offline').waitFor();
    assert.equal(await row(names.leaver).locator('.badge-draining').count(), 0);
    assert.equal(await row(names.leaver).locator('.badge-credential-enrolled').count(), 1);
  });

  it('revokes and re-enrols a worker as admin, each after a confirmation', async () => {
    const r = row(names.leaver);
    await r.getByRole('button', { name: 'Revoke' }).click();
    await r.getByText(`Revoke ${names.leaver}? Its connection is cut`).waitFor();
    assert.equal((await workerNamed(names.leaver)).enrolment?.state, 'enrolled', 'nothing happens before the confirmation');
    await r.getByRole('button', { name: 'Yes' }).click();
    await r.locator('.badge-credential-revoked').waitFor();
    assert.equal((await workerNamed(names.leaver)).enrolment?.state, 'revoked');
    assert.equal(await r.getByRole('button', { name: 'Revoke' }).count(), 0, 'no Revoke on a revoked worker');

    await r.getByRole('button', { name: 'Re-enrol' }).click();
    await r.getByRole('button', { name: 'No' }).click();
    assert.equal((await workerNamed(names.leaver)).enrolment?.state, 'revoked', '"No" leaves it revoked');
    await r.getByRole('button', { name: 'Re-enrol' }).click();
    await r.getByRole('button', { name: 'Yes' }).click();
    await r.locator('.badge-credential-open').waitFor();
    assert.equal((await workerNamed(names.leaver)).enrolment?.state, 'open');
    // An online worker cannot be re-enrolled: no button for it.
    assert.equal(await row(names.steady).getByRole('button', { name: 'Re-enrol' }).count(), 0);
    await page.locator('.toast').first().waitFor();
    while ((await page.locator('.toast').count()) > 0) await page.locator('.toast').first().click({ timeout: 1000 }).catch(() => undefined);
    await shot('workers');
  });

  it("puts the header's links behind Menu at a phone's width, and closes it on going to a page", async () => {
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.isVisible(), false, 'no Menu on a wide screen');
    await atWidths(page, [390], async () => {
      const tasks = page.getByRole('link', { name: 'Tasks', exact: true });
      assert.equal(await tasks.isVisible(), false, 'the links are behind Menu');
      await menu.click();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await tasks.waitFor();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await assertNoSidewaysScroll(page, 'the open menu');
      await keepScreenshot(page, 'menu-390');
      await tasks.click();
      await page.getByRole('heading', { name: 'Tasks' }).waitFor();
      await tasks.waitFor({ state: 'hidden' });
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    });
    await page.getByRole('link', { name: 'Tasks', exact: true }).waitFor();
  });

  it('offers a viewer no drain, revoke, re-enrol or remove', async () => {
    const viewer = await server.api.createToken({ name: `dash-w-viewer-${randomId()}`, role: 'viewer' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, viewer.token, 'viewer');
    await page.getByRole('link', { name: 'Workers' }).click();
    await row(names.steady).locator('.badge-online').waitFor();
    await row(names.leaver).locator('.badge-credential-open').waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Drain|Undrain|Revoke|Re-enrol|Remove)$/ }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await server.api.send('DELETE', `/tokens/${viewer.id}`, [204]);
    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], logs());
  });
});
