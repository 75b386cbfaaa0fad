// Workflows in the web dashboard, in real headless Chromium against a real server and worker (issue 8):
// the list, a diamond's definition drawn as a layered graph, a run started from the page whose steps
// turn success live, a failed step with the steps skipped after it and an `always` step, retry from
// the failed step, a group with its progress, a run killed from its page, and a viewer who sees no
// run, kill, stop or retry button. Nothing here waits for a duration: a step that must still be
// running when the page is checked waits for a gate file the test creates afterwards.
// CRONFLEET_SCREENSHOTS=<dir> keeps workflows, workflow and workflow-run at three widths (`npm run docs:screenshots`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openDashboardBrowser, signIn } from './browser';
import { type ApiClient, assertNoLeakedProcesses, RUN_ID, randomId, startServer, startWorker, waitFor, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface Run {
  id: number;
  status: string;
  steps: { id: string; state: string; tasks: { taskId: number; status: string }[] }[];
}

/** A command step; RUN_ID in its command line lets the leak guard find a process left behind. */
const sh = (script: string) => ({ runner: 'command', spec: { command: 'sh', args: ['-c', script, 'sh', RUN_ID] } });
const createWorkflow = (api: ApiClient, body: Record<string, unknown>) => api.call<{ id: number; name: string }>('POST', '/workflows', [201], body);
/** An element in the page (the tests compile without the DOM's types). */
type El = { getAttribute(name: string): string | null };
const getRun = (api: ApiClient, id: number) => api.call<Run>('GET', `/workflow-runs/${id}`, [200]);

describe('workflows in the web dashboard', { timeout: 120_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let shot: (name: string) => Promise<void>;
  const tag = randomId();
  const name = (n: string) => `${n}-${tag}`;
  const logs = (): string => [server?.process.report(), worker?.report(), consoleErrors.join('\n')].filter(Boolean).join('\n');
  const node = (step: string, state?: string) => page.locator(`[data-testid="dag"] [data-step="${step}"]${state ? `[data-state="${state}"]` : ''}`);
  const edges = () => page.locator('[data-testid="dag"] [data-from]');
  /** `attr` of each step node, by step id, or of each edge as `from->to:when` (sorted). */
  const byStep = (attr: string) =>
    page.locator('[data-testid="dag"] [data-step]').evaluateAll((ns, a) => Object.fromEntries((ns as unknown as El[]).map((n) => [n.getAttribute('data-step'), n.getAttribute(a)])), attr);
  const statesOf = () => byStep('data-state');
  const columnsOf = async () => Object.fromEntries(Object.entries(await byStep('data-column')).map(([k, v]) => [k, Number(v)]));
  const edgeList = () => edges().evaluateAll((es) => (es as unknown as El[]).map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}:${e.getAttribute('data-when')}`).sort());
  /** How many of these buttons the page shows (exact names: a step node is a button named "step x: killed"). */
  const buttons = async (...names: string[]) => (await Promise.all(names.map((n) => page.getByRole('button', { name: n, exact: true }).count()))).reduce((a, b) => a + b, 0);
  const dismissToasts = async () => {
    // A toast may go by itself meanwhile: a click that finds none is fine.
    while ((await page.locator('.toast').count()) > 0) await page.locator('.toast').first().click({ timeout: 1000 }).catch(() => undefined);
  };
  const toastRunId = async (): Promise<number> => Number(/run #(\d+)/.exec((await page.locator('.toast-ok').last().textContent()) ?? '')![1]);

  before(async () => {
    ({ browser, page, consoleErrors, shot } = await openDashboardBrowser());
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `e2e-dash-wf-${randomId()}`, { capacity: 4 });
    await waitForWorkerOnline(server.api, { details: logs });
    await page.goto(server.url);
    await signIn(page, server.adminToken, 'admin');
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it("lists a diamond workflow and draws its definition: 4 steps in columns by longest path, 4 edges", async () => {
    const gate = join(server.dataDir, `gate-${tag}`);
    // `a` holds until the test has seen the run under way (at most 60 s, so nothing hangs).
    await createWorkflow(server.api, {
      name: name('diamond'),
      description: 'a, then b and c in parallel, then d',
      steps: [
        { id: 'a', ...sh(`i=0; while [ ! -f '${gate}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo step-a`) },
        { id: 'b', dependsOn: ['a'], ...sh('echo step-b') },
        { id: 'c', dependsOn: ['a'], ...sh('echo step-c') },
        { id: 'd', dependsOn: ['b', 'c'], ...sh('echo step-d') },
      ],
    });
    await page.getByRole('link', { name: 'Workflows' }).click();
    const row = page.locator(`tr[data-workflow="${name('diamond')}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /on demand/);
    await shot('workflows');
    await row.getByRole('link', { name: name('diamond') }).click();
    await page.getByRole('heading', { name: name('diamond') }).waitFor();
    await node('d').waitFor();
    assert.deepEqual(await columnsOf(), { a: 0, b: 1, c: 1, d: 2 });
    assert.deepEqual(await edgeList(), ['a->b:success', 'a->c:success', 'b->d:success', 'c->d:success']);
    await node('b').click();
    await page.getByTestId('step-definition').filter({ hasText: 'step-b' }).waitFor();
  });

  it('starts a run from the workflow page and shows its steps turn success live', async () => {
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    await page.waitForURL(/#\/workflow-runs\/\d+/);
    const runId = Number(/workflow-runs\/(\d+)/.exec(page.url())![1]);
    // Under way: a runs (held by its gate), the rest wait.
    await node('a', 'running').waitFor();
    assert.deepEqual(await statesOf(), { a: 'running', b: 'waiting', c: 'waiting', d: 'waiting' });
    await page.locator('h1 .badge-running').waitFor();
    writeFileSync(join(server.dataDir, `gate-${tag}`), '');
    // No reload from here: the page follows the run's events.
    await waitFor(async () => (await page.locator('[data-testid="dag"] [data-state="success"]').count()) === 4, { timeoutMs: 30_000, what: 'all four steps success on the page', details: logs });
    await page.locator('h1 .badge-success').waitFor();
    assert.equal(await edges().count(), 4);
    assert.equal((await getRun(server.api, runId)).status, 'success');

    // A step leads to its task, and the task to its output.
    await node('c').click();
    const tasks = page.getByTestId('step-tasks');
    await tasks.locator('tr[data-status="success"]').waitFor();
    assert.match(page.url(), /step=c/);
    await tasks.locator('tr[data-task] a').first().click();
    await page.getByTestId('output').filter({ hasText: 'step-c' }).waitFor();
    await page.getByRole('link', { name: new RegExp(`run #${runId}, step c`) }).waitFor();
  });

  it('shows a failed step, the step skipped after it and an always step that ran, and retries from the failed step', async () => {
    await createWorkflow(server.api, {
      name: name('failing'),
      steps: [
        { id: 'prep', ...sh('echo prepared') },
        { id: 'boom', dependsOn: ['prep'], ...sh('echo failing >&2; exit 3') },
        { id: 'after', dependsOn: ['boom'], ...sh('echo never') },
        { id: 'cleanup', dependsOn: ['prep', 'after'], when: 'always', ...sh('echo cleaned') },
      ],
    });
    // Run now from the list this time.
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.locator(`tr[data-workflow="${name('failing')}"]`).getByRole('button', { name: 'Run now', exact: true }).click();
    await page.locator('.toast-ok').filter({ hasText: `${name('failing')}: run #` }).waitFor();
    const runId = await toastRunId();
    await page.locator(`tr[data-workflow="${name('failing')}"] .timeline a[href="#/workflow-runs/${runId}"]`).click();
    await page.locator('h1 .badge-failed').waitFor({ timeout: 30_000 });
    await node('cleanup', 'success').waitFor();
    assert.deepEqual(await statesOf(), { prep: 'success', boom: 'failed', after: 'skipped', cleanup: 'success' });
    // cleanup waits for `after` too: its column is its longest path (3), and the edge from prep is drawn as `always`.
    assert.deepEqual(await columnsOf(), { prep: 0, boom: 1, after: 2, cleanup: 3 });
    assert.deepEqual(await edgeList(), ['after->cleanup:always', 'boom->after:success', 'prep->boom:success', 'prep->cleanup:always']);
    assert.match((await node('boom').textContent()) ?? '', /failed/);

    await page.getByRole('button', { name: 'Retry from failed', exact: true }).click();
    await page.getByText('retried 1×').waitFor();
    await node('boom').filter({ hasText: '2 attempts' }).waitFor();
    await page.locator('h1 .badge-failed').waitFor();
    await node('cleanup', 'success').waitFor();
    assert.equal((await getRun(server.api, runId)).status, 'failed');
  });

  it('draws a group step with its members, policy and progress', async () => {
    await createWorkflow(server.api, {
      name: name('etl'),
      description: 'extract, transform each region (at least 2 of 3), load; report always, alert on failure',
      schedule: '30 2 * * *',
      timezone: 'Europe/Berlin',
      steps: [
        { id: 'extract', ...sh('echo extracted') },
        {
          id: 'transform',
          dependsOn: ['extract'],
          group: { forEach: ['eu', 'us', 'asia'], ...sh('echo "transform $CRONFLEET_ITEM"; [ "$CRONFLEET_ITEM" != us ]') },
          succeedWhen: { atLeast: 2 },
          maxParallel: 2,
        },
        { id: 'load', dependsOn: ['transform'], ...sh('echo loaded') },
        { id: 'alert', dependsOn: ['load'], when: 'failure', ...sh('echo paging') },
        { id: 'report', dependsOn: ['load'], when: 'always', ...sh('echo report') },
      ],
    });
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.locator(`tr[data-workflow="${name('etl')}"]`).getByRole('link', { name: name('etl') }).click();
    await node('transform').filter({ hasText: '3 members · need ≥2 · max 2' }).waitFor();
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    await page.waitForURL(/#\/workflow-runs\/\d+/);
    await page.locator('h1 .badge-success').waitFor({ timeout: 30_000 });
    await node('report', 'success').waitFor();
    assert.deepEqual(await statesOf(), { extract: 'success', transform: 'success', load: 'success', alert: 'skipped', report: 'success' });
    assert.match((await node('transform').textContent()) ?? '', /2\/3 ok/);
    await node('transform').click();
    await page.getByTestId('step-tasks').locator('tr[data-task]').nth(1).waitFor();
    await dismissToasts();
    await shot('workflow-run');
    await page.locator('h1').getByRole('link', { name: name('etl') }).click();
    await page.locator('tr[data-run][data-status="success"]').waitFor();
    await node('transform').filter({ hasText: 'command for each input' }).waitFor();
    await shot('workflow');
  });

  it('kills a running run from its page: its running step ends killed, the rest skipped', async () => {
    const wf = await createWorkflow(server.api, {
      name: name('slow'),
      steps: [
        { id: 'slow', ...sh('echo sleeping; sleep 30') },
        { id: 'next', dependsOn: ['slow'], ...sh('echo never') },
      ],
    });
    await page.goto(`${server.url}/#/workflows/${wf.id}`);
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    await page.waitForURL(/#\/workflow-runs\/\d+/);
    const runId = Number(/workflow-runs\/(\d+)/.exec(page.url())![1]);
    await node('slow').click();
    // Its task has reached the worker (a pending one would be cancelled instead).
    await page.getByTestId('step-tasks').locator('tr[data-status="running"]').waitFor();
    await page.getByRole('button', { name: 'Kill', exact: true }).click();
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.locator('h1 .badge-killed').waitFor();
    await node('slow', 'killed').waitFor();
    await node('next', 'skipped').waitFor();
    await page.getByTestId('step-tasks').locator('tr[data-status="killed"]').waitFor();
    assert.equal(await buttons('Kill', 'Stop'), 0, 'no kill or stop button on an ended run');
    await page.getByRole('button', { name: 'Retry from failed', exact: true }).waitFor();
    const run = await getRun(server.api, runId);
    assert.equal(run.status, 'killed');
    assert.equal(run.steps[0].tasks[0].status, 'killed');
  });

  it("shows the server's message for a workflow or run it cannot show", async () => {
    await page.goto(`${server.url}/#/workflows/no-such-${tag}`);
    await page.getByRole('alert').filter({ hasText: `workflow 'no-such-${tag}' not found` }).waitFor();
    await page.goto(`${server.url}/#/workflow-runs/0`);
    await page.getByRole('alert').filter({ hasText: /\bid\b/ }).waitFor();
  });

  it('shows a viewer no run, kill, stop or retry button', async () => {
    const viewer = await server.api.createToken({ name: `dash-wf-viewer-${tag}`, role: 'viewer' });
    const running = await server.api.call<Run>('POST', `/workflows/${encodeURIComponent(name('slow'))}/runs`, [202]);
    const failed = (await server.api.call<{ items: Run[] }>('GET', `/workflows/${encodeURIComponent(name('failing'))}/runs`, [200])).items[0];
    try {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, viewer.token, 'viewer');
      await page.getByRole('link', { name: 'Workflows' }).click();
      await page.locator(`tr[data-workflow="${name('slow')}"] .tl-running`).waitFor();
      assert.equal(await buttons('Run now'), 0, 'no run button in the list');
      await page.locator(`tr[data-workflow="${name('slow')}"]`).getByRole('link', { name: name('slow') }).click();
      await node('next').waitFor();
      await page.locator(`tr[data-run="${running.id}"]`).waitFor();
      assert.equal(await buttons('Run now', 'Kill', 'Stop', 'Retry from failed'), 0, 'no run, kill, stop or retry button on the workflow page');
      await page.goto(`${server.url}/#/workflow-runs/${running.id}`);
      await node('slow', 'running').waitFor();
      await page.locator('h1 .badge-running').waitFor();
      assert.equal(await buttons('Kill', 'Stop'), 0, 'no kill or stop button on a running run');
      await page.goto(`${server.url}/#/workflow-runs/${failed.id}`);
      await page.locator('h1 .badge-failed').waitFor();
      await node('boom', 'failed').waitFor();
      assert.equal(await buttons('Retry from failed'), 0, 'no retry button on a failed run');
    } finally {
      await server.api.call('POST', `/workflow-runs/${running.id}/kill`, [200, 409]);
    }
    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], logs());
  });
});
