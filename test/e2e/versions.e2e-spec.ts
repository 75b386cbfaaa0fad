// Versioned cron jobs end to end (issue 9): every change of a job is kept with who made it, when and
// what changed; a rollback writes an older definition again as a new version, through the checks of
// an update; secret values never appear in an answer. On the embedded backend with a local worker
// (a rolled-back secret reaches the task), and on MySQL + Redis with API tokens of each role.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeakedProcesses, errorBody, expectApiError, messageText, randomId, startServer, waitForTaskEnd, type ApiClient, type TestServer, waitForWorkerOnline } from './helpers';

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  redacted?: true;
}
interface Version {
  cronjobId: number;
  version: number;
  kind: string;
  rolledBackFrom: number | null;
  actor: string;
  role: string;
  tokenId: number | null;
  at: string;
  changes: FieldChange[];
  definition?: Record<string, unknown>;
}
type Page = { items: Version[]; nextCursor: string | null };

/** Every answer of the suite, to check that no secret value was ever in one. */
const seen: string[] = [];
function recording(api: ApiClient): ApiClient {
  const send = api.send.bind(api);
  api.send = async (...args: Parameters<ApiClient['send']>) => {
    const r = await send(...args);
    seen.push(r.text);
    return r;
  };
  return api;
}

const SECRET_1 = `first-secret-${randomId()}`;
const SECRET_2 = `second-secret-${randomId()}`;
const HEADER_SECRET = `Bearer header-secret-${randomId()}`;
const DEFINITION_FIELDS = ['name', 'schedule', 'timezone', 'runner', 'spec', 'timeoutSeconds', 'jitterSeconds', 'concurrencyPolicy', 'misfirePolicy', 'catchUpLimit', 'startingDeadlineSeconds', 'retry', 'priority', 'workerSelector', 'routing', 'env', 'secretEnvKeys', 'maxOutputBytes', 'notify', 'triggers', 'historyLimit', 'historyDays'];
const pick = (o: Record<string, unknown>) => Object.fromEntries(DEFINITION_FIELDS.map((f) => [f, o[f]]));

describe('job versions: edits, diffs and a rollback (embedded, local worker)', { timeout: 180_000 }, () => {
  let server: TestServer;
  let api: ApiClient;

  before(async () => {
    server = await startServer({ backend: 'embedded', localWorker: true });
    api = recording(server.api);
    await waitForWorkerOnline(api, { timeoutMs: 30_000, what: 'the local worker online', details: () => server.process.report() });
  });
  after(async () => {
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('keeps every edit with its diff, rolls back to version 1 as version 4, with version 1\'s secret, and never answers a secret value', async () => {
    // EXPECTED is plain env (shown by the API), so the task can compare: SECRET_1 is not the secret checked below.
    const created = await api.createCronJob({
      name: `versioned-${randomId()}`,
      schedule: '@hourly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', '[ "$API_KEY" = "$EXPECTED" ] && echo same || echo different'] },
      env: { EXPECTED: SECRET_1 },
      secretEnv: { API_KEY: SECRET_1 },
      notify: [{ on: ['failure'], webhook: { url: 'https://hooks.example/cronfleet', headers: { Authorization: HEADER_SECRET } } }],
    });
    const id = created.id;
    await api.call('PATCH', `/cronjobs/${id}`, [200], { schedule: '@daily', priority: 5 });
    await api.call('PATCH', `/cronjobs/${id}`, [200], { secretEnv: { API_KEY: SECRET_2 }, env: { EXPECTED: SECRET_1, MODE: 'rotated' } });

    const page = await api.call<Page>('GET', `/cronjobs/${id}/versions`, [200]);
    assert.deepEqual(page.items.map((v) => [v.version, v.kind, v.actor, v.role]), [[3, 'updated', 'admin', 'admin'], [2, 'updated', 'admin', 'admin'], [1, 'created', 'admin', 'admin']]);
    assert.deepEqual(page.items[1].changes, [
      { field: 'schedule', before: '@hourly', after: '@daily' },
      { field: 'priority', before: 0, after: 5 },
    ]);
    assert.deepEqual(page.items[0].changes, [
      { field: 'env.MODE', before: null, after: 'rotated' },
      { field: 'secretEnv', before: ['API_KEY'], after: ['API_KEY'], redacted: true },
    ]);
    assert.equal(page.nextCursor, null);

    const v1 = await api.call<Version>('GET', `/cronjobs/${id}/versions/1`, [200]);
    assert.equal(v1.definition?.schedule, '@hourly');
    assert.deepEqual(v1.definition?.secretEnvKeys, ['API_KEY']);
    assert.ok(!('secretEnv' in v1.definition!), 'a version shows the names of secrets, not their sealed values');

    const rolled = await api.call<{ cronjob: Record<string, unknown>; version: Version }>('POST', `/cronjobs/${id}/versions/1/rollback`, [200]);
    assert.deepEqual([rolled.version.version, rolled.version.kind, rolled.version.rolledBackFrom], [4, 'rollback', 1]);
    assert.deepEqual(rolled.version.changes.map((c) => c.field), ['schedule', 'priority', 'env.MODE', 'secretEnv']);
    const job = (await api.getCronJob(id)) as unknown as Record<string, unknown>;
    assert.deepEqual(pick(job), pick(v1.definition!), "the job's definition is version 1's again");
    assert.equal(job.version, 4);
    assert.equal(job.enabled, false, 'the pause state is as it was');
    const v4 = await api.call<Version>('GET', `/cronjobs/${id}/versions/4`, [200]);
    assert.deepEqual(pick(v4.definition!), pick(v1.definition!));
    assert.equal((await api.call<Page>('GET', `/cronjobs/${id}/versions`, [200])).items.length, 4);

    // Version 1's secret value is back: the task sees the value it was created with.
    const { taskId } = await api.runCronJob(id);
    assert.equal((await waitForTaskEnd(api, taskId, { timeoutMs: 30_000, details: () => server.process.report() })).status, 'success');
    assert.equal(await api.taskOutput(taskId), 'same\n');

    const again = await api.call<{ version: Version | null }>('POST', `/cronjobs/${id}/versions/1/rollback`, [200]);
    assert.equal(again.version, null, 'a rollback to the definition the job has changes nothing');

    for (const secret of [SECRET_2, 'header-secret-']) {
      const leaked = seen.filter((t) => t.includes(secret));
      assert.deepEqual(leaked.map((t) => t.slice(0, 200)), [], `a secret value was in an answer`);
    }
    assert.doesNotMatch(server.process.output(500_000), new RegExp(`${SECRET_2}|header-secret-`), 'nor in the log');
  });
});

describe('job versions: authors, roles, refusals and deletion (MySQL + Redis)', { timeout: 180_000 }, () => {
  let server: TestServer;
  const tokens: Record<'viewer' | 'operator' | 'admin', { token: string; id: number; name: string }> = {} as never;
  const as = (role: keyof typeof tokens) => server.api.withToken(tokens[role].token);

  before(async () => {
    server = await startServer({ backend: 'mysql' });
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const name = `${role}-${randomId()}`;
      const t = await server.api.createToken({ name, role });
      tokens[role] = { ...t, name };
    }
  });
  after(async () => {
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('records which token made each change, lets viewers read versions and only admins roll back', async () => {
    const job = await as('admin').createCronJob({ name: `authored-${randomId()}`, schedule: '@hourly', runner: 'command', spec: { command: 'true' } });
    await as('operator').call('POST', `/cronjobs/${job.id}/pause`, [200]);
    await as('operator').call('POST', `/cronjobs/${job.id}/resume`, [200]);
    await as('admin').call('PATCH', `/cronjobs/${job.id}`, [200], { timezone: 'Europe/Berlin' });
    const page = await as('viewer').call<Page>('GET', `/cronjobs/${job.id}/versions?limit=2`, [200]);
    assert.deepEqual(page.items.map((v) => [v.version, v.actor, v.role, v.tokenId]), [[4, tokens.admin.name, 'admin', tokens.admin.id], [3, tokens.operator.name, 'operator', tokens.operator.id]]);
    assert.deepEqual(page.items[1].changes.map((c) => [c.field, c.before, c.after]), [['enabled', false, true]]);
    assert.equal(page.nextCursor, '3');
    const rest = await as('viewer').call<Page>('GET', `/cronjobs/${job.id}/versions?limit=2&cursor=3`, [200]);
    assert.deepEqual(rest.items.map((v) => [v.version, v.kind]), [[2, 'updated'], [1, 'created']]);
    assert.equal(rest.nextCursor, null);

    for (const role of ['viewer', 'operator'] as const) {
      const e = await expectApiError(as(role).call('POST', `/cronjobs/${job.id}/versions/1/rollback`, [200]), 403);
      assert.match(messageText(errorBody(e)), /needs admin/);
    }
    await expectApiError(as('viewer').call('GET', `/cronjobs/${job.id}/versions/9`, [200]), 404);
    const bad = await expectApiError(as('viewer').call('GET', `/cronjobs/${job.id}/versions/0`, [200]), 400);
    assert.match(messageText(errorBody(bad)), /version/);
  });

  it('refuses a rollback to a definition whose triggers name a job deleted since, naming it, and changes nothing', async () => {
    const target = await server.api.createCronJob({ name: `target-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    const job = await server.api.createCronJob({ name: `chained-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' }, triggers: { onSuccess: [target.name] } });
    await server.api.call('PATCH', `/cronjobs/${job.id}`, [200], { triggers: null });
    await server.api.deleteCronJob(target.id);
    const e = await expectApiError(server.api.call('POST', `/cronjobs/${job.id}/versions/1/rollback`, [200]), 400);
    assert.match(messageText(errorBody(e)), new RegExp(`rollback to version 1: triggers: no cron job named '${target.name}'`));
    const after = (await server.api.getCronJob(job.id)) as unknown as { triggers: unknown; version: number };
    assert.deepEqual([after.triggers, after.version], [{}, 2]);
  });

  it("keeps a deleted job's versions, the last one recording the deletion", async () => {
    const job = await server.api.createCronJob({ name: `doomed-${randomId()}`, schedule: '@yearly', runner: 'command', spec: { command: 'true' } });
    await server.api.deleteCronJob(job.id);
    const page = await server.api.call<Page>('GET', `/cronjobs/${job.id}/versions`, [200]);
    assert.deepEqual(page.items.map((v) => [v.version, v.kind, v.actor]), [[2, 'deleted', 'admin'], [1, 'created', 'admin']]);
    const last = await server.api.call<Version>('GET', `/cronjobs/${job.id}/versions/2`, [200]);
    assert.equal(last.definition?.name, job.name, 'the definition that was deleted');
    await expectApiError(server.api.call('POST', `/cronjobs/${job.id}/versions/1/rollback`, [200]), 404);
    await expectApiError(server.api.call('GET', '/cronjobs/987654/versions', [200]), 404);
  });

  it('finds a deleted job by its name (GET /cronjob-versions?name=), in its namespace only for a scoped token', async () => {
    type Found = { items: { cronjobId: number; name: string; namespace: string | null; deleted: boolean; version: number; at: string }[] };
    const name = `named-${randomId()}`;
    const ns = `named-${randomId(3)}`;
    await server.api.call('POST', '/namespaces', [201], { name: ns });
    const first = await server.api.createCronJob({ name, schedule: '@yearly', runner: 'command', spec: { command: 'true' } });
    await server.api.call('PATCH', `/cronjobs/${first.id}`, [200], { schedule: '@monthly' });
    await server.api.deleteCronJob(first.id);
    const second = await server.api.createCronJob({ name, schedule: '@daily', runner: 'command', spec: { command: 'true' } });
    const other = await server.api.createCronJob({ name, namespace: ns, schedule: '@daily', runner: 'command', spec: { command: 'true' } } as never);
    await server.api.deleteCronJob(other.id);

    const all = await as('viewer').call<Found>('GET', `/cronjob-versions?name=${name}`, [200]);
    assert.deepEqual(
      all.items.map((i) => [i.cronjobId, i.namespace, i.deleted, i.version]),
      [[other.id, ns, true, 2], [second.id, 'default', false, 1], [first.id, 'default', true, 3]],
      'newest first: the deleted one in the other namespace, the live one, the first one deleted',
    );
    assert.ok(all.items.every((i) => i.name === name && !Number.isNaN(Date.parse(i.at))));
    const inDefault = await server.api.call<Found>('GET', `/cronjob-versions?name=${name}&namespace=default&limit=1`, [200]);
    assert.deepEqual(inDefault.items.map((i) => i.cronjobId), [second.id]);
    assert.deepEqual((await server.api.call<Found>('GET', `/cronjob-versions?name=${name.toUpperCase()}`, [200])).items, [], 'names compare exactly');
    // The versions of the deleted job, by the id found.
    const page = await as('viewer').call<Page>('GET', `/cronjobs/${first.id}/versions`, [200]);
    assert.deepEqual(page.items.map((v) => v.kind), ['deleted', 'updated', 'created']);

    const scoped = await server.api.withNewToken({ name: `scoped-${randomId()}`, role: 'viewer', namespace: ns });
    assert.deepEqual((await scoped.call<Found>('GET', `/cronjob-versions?name=${name}`, [200])).items.map((i) => i.cronjobId), [other.id], 'its own namespace only');
    const outside = await expectApiError(scoped.call('GET', `/cronjob-versions?name=${name}&namespace=default`, [200]), 403);
    assert.match(messageText(errorBody(outside)), /namespace: token '.*' is scoped to namespace/);
    // And by id: a deleted job's versions are its namespace's, as the live job's were.
    assert.deepEqual((await scoped.call<Page>('GET', `/cronjobs/${other.id}/versions`, [200])).items.map((v) => v.kind), ['deleted', 'created']);
    await scoped.call('GET', `/cronjobs/${other.id}/versions/1`, [200]);
    await expectApiError(scoped.call('GET', `/cronjobs/${first.id}/versions`, [200]), 404);
    await expectApiError(scoped.call('GET', `/cronjobs/${first.id}/versions/1`, [200]), 404);

    for (const [query, field] of [['', /name: required/], ['name=', /name: must not be empty/], [`name=${'x'.repeat(201)}`, /name: must be at most 200/], [`name=${name}&limit=0`, /limit: must be at least 1/], [`name=${name}&limit=x`, /limit/], [`name=${name}&id=1`, /id/], [`name=${name}&namespace=Bad_NS`, /namespace/]] as const) {
      const e = await expectApiError(server.api.call('GET', `/cronjob-versions?${query}`, [200]), 400);
      assert.match(messageText(errorBody(e)), field, query);
    }
  });
});
