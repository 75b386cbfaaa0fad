import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { validateJobs, type CronJobView, type WorkflowView } from '@cronfleet/shared';
import { exportDocument, exportJob, exportWorkflow, nameMatcher, renderExport } from './export-file';
import { readWorkflowFile, sameDefinition } from './workflow-file';

const view = (over: Partial<CronJobView> = {}): CronJobView =>
  ({
    id: 3, namespace: 'default', name: 'backup', schedule: '0 2 * * *', timezone: 'UTC', runner: 'command', spec: { command: 'b.sh', args: ['x', 'a'], shell: false, env: {} },
    timeoutSeconds: null, enabled: true, jitterSeconds: 0, concurrencyPolicy: 'allow', misfirePolicy: 'runOnce', catchUpLimit: 10,
    startingDeadlineSeconds: null, retry: null, priority: 0, workerSelector: null, routing: 'leastLoaded', env: { Z: '1', A: '2' },
    secretEnvKeys: [], maxOutputBytes: null, notify: [], triggers: {}, params: [], historyLimit: null, historyDays: null, version: 4,
    nextRunAt: '2026-01-02T02:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
  }) as CronJobView;

describe('export file', () => {
  it('writes every settable field in a fixed order, without the read-only ones', () => {
    const job = exportJob(view());
    assert.deepEqual(Object.keys(job), [
      'name', 'schedule', 'timezone', 'enabled', 'runner', 'spec', 'env', 'timeoutSeconds', 'maxOutputBytes', 'jitterSeconds', 'concurrencyPolicy',
      'misfirePolicy', 'catchUpLimit', 'startingDeadlineSeconds', 'retry', 'priority', 'workerSelector', 'routing', 'notify', 'triggers', 'historyLimit', 'historyDays',
    ]);
    assert.deepEqual(Object.keys(job.env as object), ['Z', 'A'], "object keys in the API's order");
    assert.deepEqual((job.spec as { args: string[] }).args, ['x', 'a'], 'arrays keep their order');
  });

  it('writes params after triggers, and leaves them out for a job without any', () => {
    const params = [{ name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false }];
    const job = exportJob(view({ params }));
    assert.deepEqual(Object.keys(job).slice(18, 21), ['notify', 'triggers', 'params']);
    assert.deepEqual(job.params, [{ default: 'eu', enum: ['eu', 'us'], name: 'REGION', required: false }]);
    assert.equal('params' in exportJob(view()), false);
    const [def] = validateJobs([parse(renderExport({ jobs: [job] }, 'yaml')).jobs[0]], 'f');
    assert.deepEqual(def.job.params, params);
  });

  it('writes a workflow\'s params after enabled, leaves them out for one without any, and apply reads them back as they were', () => {
    const params = [{ name: 'X', required: true }, { name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false }];
    const wf = (over: Partial<WorkflowView> = {}) => ({ id: 1, namespace: 'default', name: 'etl', description: null, schedule: null, timezone: 'UTC', enabled: true, params: [], steps: [{ id: 's', runner: 'command', spec: { command: 'x' } }], ...over }) as unknown as WorkflowView;
    const out = exportWorkflow(wf({ params }));
    assert.deepEqual(Object.keys(out), ['name', 'description', 'schedule', 'timezone', 'enabled', 'params', 'steps']);
    assert.equal('params' in exportWorkflow(wf()), false);
    const [entry] = readWorkflowFile(renderExport({ workflows: [out] }, 'yaml'), 'f');
    assert.deepEqual(entry.def.params, params);
    // The server shows steps as checked (the spec's defaults filled in): compare with those.
    assert.ok(sameDefinition(entry.def, wf({ params, steps: entry.def.steps })), 'applying the export changes nothing');
    assert.ok(!sameDefinition(entry.def, wf({ params: [params[0]], steps: entry.def.steps })), 'a changed param is an update');
  });

  it("writes secret variables and webhook header values as '${keep}', never anything else of them", () => {
    const job = exportJob(view({ secretEnvKeys: ['TOKEN', 'DB_PASS'], notify: [{ on: ['failure'], webhook: { url: 'https://h.example/x', headerNames: ['Authorization'] } }, { on: ['success'], webhook: { url: 'https://h.example/y', headerNames: [] } }] }));
    assert.deepEqual(job.secretEnv, { DB_PASS: '${keep}', TOKEN: '${keep}' });
    assert.deepEqual(job.notify, [
      { on: ['failure'], webhook: { headers: { Authorization: '${keep}' }, url: 'https://h.example/x' } },
      { on: ['success'], webhook: { url: 'https://h.example/y' } },
    ]);
  });

  it('is a job file apply accepts as it is', () => {
    const job = exportJob(view({ secretEnvKeys: ['TOKEN'], enabled: false, retry: { maxRetries: 2, backoff: 'fixed', delaySeconds: 5, maxDelaySeconds: 60, jitter: false } }));
    const [def] = validateJobs([parse(renderExport({ jobs: [job] }, 'yaml')).jobs[0]], 'f');
    assert.equal(def.job.enabled, false);
    assert.deepEqual(def.job.retry, { maxRetries: 2, backoff: 'fixed', delaySeconds: 5, maxDelaySeconds: 60, jitter: false });
  });

  it('sorts jobs and workflows by name and gives the same bytes whatever order they were listed in', () => {
    const jobs = [view({ name: 'b' }), view({ name: 'a' })];
    const wf = (name: string) => ({ id: 1, name, description: null, schedule: null, timezone: 'UTC', enabled: true, steps: [{ id: 's', runner: 'command', spec: { command: 'x' } }] }) as unknown as WorkflowView;
    const one = renderExport(exportDocument(jobs, [wf('y'), wf('x')]), 'yaml');
    const two = renderExport(exportDocument([...jobs].reverse(), [wf('x'), wf('y')]), 'yaml');
    assert.equal(one, two);
    const doc = parse(one);
    assert.deepEqual(doc.jobs.map((j: { name: string }) => j.name), ['a', 'b']);
    assert.deepEqual(Object.keys(doc.workflows[0].steps[0]), ['id', 'runner', 'spec'], "a step's keys as the API shows them");
    assert.match(one, /^# Cronfleet export/);
    assert.deepEqual(JSON.parse(renderExport(exportDocument(jobs, null), 'json')).workflows, undefined, 'a section left out is absent');
  });

  it('keeps long strings on one line', () => {
    const long = `echo ${'x'.repeat(200)}`;
    const text = renderExport({ jobs: [exportJob(view({ spec: { command: long } }))] }, 'yaml');
    assert.ok(text.split('\n').some((l) => l.includes(long)));
  });

  it('matches names with * patterns, and everything without one', () => {
    const m = nameMatcher(['etl-*', 'backup']);
    assert.ok(m('etl-load') && m('backup'));
    assert.ok(!m('backup-2') && !m('x-etl-a'));
    assert.ok(nameMatcher(['a.b'])('a.b') && !nameMatcher(['a.b'])('axb'), 'other characters match themselves');
    assert.ok(nameMatcher([])('anything'));
  });

  it('writes the keys of the spec, the retry policy and every other object in the order `cronjobs get` shows them', () => {
    const retry = { maxRetries: 2, backoff: 'fixed' as const, delaySeconds: 5, maxDelaySeconds: 60, jitter: false };
    const spec = { command: 'sh', args: ['-c', 'echo hi'], env: { B: '1', A: '2' }, cwd: '/tmp', shell: false };
    const text = renderExport({ jobs: [exportJob(view({ spec, retry, workerSelector: { labels: { zone: 'eu', disk: 'ssd' } } }))] }, 'yaml');
    const job = parse(text).jobs[0];
    assert.deepEqual(Object.keys(job.spec), ['command', 'args', 'env', 'cwd', 'shell']);
    assert.deepEqual(Object.keys(job.spec.env), ['B', 'A']);
    assert.deepEqual(Object.keys(job.retry), ['maxRetries', 'backoff', 'delaySeconds', 'maxDelaySeconds', 'jitter']);
    assert.deepEqual(Object.keys(job.workerSelector.labels), ['zone', 'disk']);
    assert.match(text, /^ {4}spec:\n {6}command: sh\n {6}args:\n/m);
  });

  it("writes namespace after name outside 'default' only, so an export without other namespaces is what it was", () => {
    assert.ok(!('namespace' in exportJob(view())));
    const job = exportJob(view({ namespace: 'team-a' }));
    assert.deepEqual(Object.keys(job).slice(0, 3), ['name', 'namespace', 'schedule']);
    assert.equal(job.namespace, 'team-a');
    const wf = (namespace: string) => ({ id: 1, namespace, name: 'etl', description: null, schedule: null, timezone: 'UTC', enabled: true, steps: [] }) as unknown as WorkflowView;
    assert.ok(!('namespace' in exportWorkflow(wf('default'))));
    assert.deepEqual(Object.keys(exportWorkflow(wf('team-a'))).slice(0, 2), ['name', 'namespace']);
  });

  it("sorts by namespace, 'default' first, then by name", () => {
    const doc = exportDocument([view({ name: 'a', namespace: 'team-b' }), view({ name: 'z' }), view({ name: 'b', namespace: 'team-a' }), view({ name: 'a', namespace: 'team-a' })], null);
    assert.deepEqual(doc.jobs?.map((j) => `${String(j.namespace ?? '-')}/${String(j.name)}`), ['-/z', 'team-a/a', 'team-a/b', 'team-b/a']);
  });

  it('gives apply back the namespace it exported, and none for a job of default', () => {
    const text = renderExport(exportDocument([view({ name: 'x', namespace: 'team-a' }), view({ name: 'x' })], null), 'yaml');
    assert.deepEqual(validateJobs(parse(text).jobs, 'f').map((d) => [d.namespace, d.name]), [[undefined, 'x'], ['team-a', 'x']]);
  });
});
