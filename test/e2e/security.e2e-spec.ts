// API tokens with roles, the audit log and the limit on failed token checks, end to end: a real
// server on MariaDB + Redis, a real worker, the REST API, the /events socket and the CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import {
  ApiError,
  assertNoLeakedProcesses,
  errorBody as baseErrorBody,
  expectApiError,
  randomId,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type ApiClient,
  type TestProcess,
  type TestServer,
  runCli as cli, waitForWorkerOnline } from './helpers';

interface CreatedToken {
  id: number;
  name: string;
  role: string;
  token: string;
  hint: string;
  expiresAt: string | null;
}
interface AuditEntry {
  actor: string;
  tokenId: number | null;
  role: string;
  method: string;
  path: string;
  targetId: string | null;
  status: number;
  ip: string;
}

/** The error body with its stable `code`. */
const errorBody = (e: ApiError) => baseErrorBody(e) as ReturnType<typeof baseErrorBody> & { code?: string };

const FAR_SCHEDULE = '0 0 1 1 *';

/** Connects to the /events namespace with `token`: null when connected, else the refusal's message. */
function eventsRefusal(server: TestServer, token: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = io(`${server.url}/events`, { auth: { token }, transports: ['websocket'], reconnection: false, timeout: 5000 });
    s.on('connect', () => {
      s.disconnect();
      resolve(null);
    });
    s.on('connect_error', (e) => {
      s.disconnect();
      resolve(e.message);
    });
  });
}

for (const backend of ['mysql', 'embedded'] as const) describe(`API tokens, roles, audit log and the auth failure limit on the ${backend} backend`, { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  const workerName = `e2e-sec-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const create = (name: string, role: string, expiresInSeconds?: number): Promise<CreatedToken> =>
    server.api.call<CreatedToken>('POST', '/tokens', [201], { name, role, ...(expiresInSeconds ? { expiresInSeconds } : {}) });
  let viewer: ApiClient;
  let operator: ApiClient;
  let operatorToken: CreatedToken;
  let jobId: number;
  const secretValue = `s3cret-${randomId(8)}`;

  before(
    async () => {
      server = await startServer({ backend });
      worker = startWorker(server, workerName);
      viewer = server.api.withToken((await create(`viewer-${randomId()}`, 'viewer')).token);
      operatorToken = await create(`operator-${randomId()}`, 'operator');
      operator = server.api.withToken(operatorToken.token);
      const job = await server.api.createCronJob({ name: `sec-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'echo', args: ['hi'] }, secretEnv: { PASSWORD: secretValue } });
      jobId = job.id;
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

  it('shows a new token once, recognisable by its prefix, and lists tokens without their secrets', async () => {
    assert.match(operatorToken.token, /^cft_[A-Za-z0-9_-]{43}$/);
    assert.equal(operatorToken.hint, operatorToken.token.slice(0, 8));
    const { items } = await server.api.call<{ items: Record<string, unknown>[] }>('GET', '/tokens', [200]);
    assert.ok(items.some((t) => t.id === operatorToken.id && t.role === 'operator' && t.lastUsedAt !== undefined));
    assert.ok(!JSON.stringify(items).includes(operatorToken.token), 'GET /tokens must not return a secret');
  });

  it('lets a viewer read but answers 403 with a clear message when it writes', async () => {
    await viewer.listCronJobs();
    await viewer.listTasks();
    const e = await expectApiError(viewer.createCronJob({ name: 'nope', schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' } }), 403);
    const body = errorBody(e);
    assert.deepEqual([body.statusCode, body.error, body.code], [403, 'Forbidden', 'Forbidden']);
    assert.match(String(body.message), /role viewer; POST \/api\/v1\/cronjobs needs admin/);
    await expectApiError(viewer.runCronJob(jobId), 403);
    await expectApiError(viewer.call('GET', '/audit', [200]), 403);
  });

  it('lets an operator run a job but not create one', async () => {
    await expectApiError(operator.createCronJob({ name: 'nope', schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'true' } }), 403);
    await expectApiError(operator.call('POST', '/tokens', [201], { name: 'x', role: 'admin' }), 403);
    const { taskId } = await operator.runCronJob(jobId);
    const task = await waitForTaskEnd(operator, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(task.status, 'success');
  });

  it('opens the /events socket to any valid API token, not to the worker token', async () => {
    assert.equal(await eventsRefusal(server, viewer.token!), null);
    assert.match(String(await eventsRefusal(server, server.workerToken)), /InvalidToken/);
  });

  it('keeps worker and API tokens apart: the worker token opens no REST route, an API token lets no worker join', async () => {
    const e = await expectApiError(server.api.withToken(server.workerToken).listCronJobs(), 401);
    assert.equal(errorBody(e).code, 'Unauthorized');
    const intruder = startWorker(server, `e2e-intruder-${randomId()}`, { token: operatorToken.token });
    assert.ok(await intruder.waitForExit(20_000), `a worker with an API token was not refused:\n${intruder.report()}`);
    assert.equal(intruder.child.exitCode, 1, intruder.report());
  });

  it('answers 401 to a revoked token and to an expired one', async () => {
    const doomed = await create(`doomed-${randomId()}`, 'viewer');
    const client = server.api.withToken(doomed.token);
    await client.listCronJobs();
    await server.api.call('DELETE', `/tokens/${doomed.id}`, [204]);
    assert.match(String(errorBody(await expectApiError(client.listCronJobs(), 401)).message), /was revoked/);

    const brief = await create(`brief-${randomId()}`, 'viewer', 1);
    await sleep(1500);
    assert.match(String(errorBody(await expectApiError(server.api.withToken(brief.token).listCronJobs(), 401)).message), /expired at/);
  });

  it('names in the audit log what a call created: a one-shot task, a retry’s new attempt, a run-now task, a token, a workflow run', async () => {
    const oneShot = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'command', spec: { command: 'true' } });
    await waitForTaskEnd(server.api, oneShot.taskId, { timeoutMs: 20_000, details: logs });
    const retried = await server.api.call<{ taskId: number }>('POST', `/tasks/${oneShot.taskId}/retry`, [202]);
    assert.notEqual(retried.taskId, oneShot.taskId);
    const ranNow = await server.api.runCronJob(jobId);
    const token = await create(`audited-${randomId()}`, 'viewer');
    const workflow = await server.api.call<{ id: number; name: string }>('POST', '/workflows', [201], { name: `audited-${randomId()}`, steps: [{ id: 'a', runner: 'command', spec: { command: 'true' } }] });
    const run = await server.api.call<{ id: number }>('POST', `/workflows/${workflow.name}/runs`, [202]);
    await Promise.all([retried.taskId, ranNow.taskId].map((id) => waitForTaskEnd(server.api, id, { timeoutMs: 20_000, details: logs })));

    const { items } = await server.api.call<{ items: AuditEntry[] }>('GET', '/audit?actor=admin&limit=1000', [200]);
    const targetsOf = (method: string, path: string) => items.filter((a) => a.method === method && a.path === path).map((a) => [a.status, a.targetId]);
    assert.deepEqual(targetsOf('POST', '/api/v1/tasks'), [[202, String(oneShot.taskId)]]);
    // A retry names the attempt it created; the retried task is in its path.
    assert.deepEqual(targetsOf('POST', `/api/v1/tasks/${oneShot.taskId}/retry`), [[202, String(retried.taskId)]]);
    assert.ok(targetsOf('POST', `/api/v1/cronjobs/${jobId}/run`).some(([, t]) => t === String(ranNow.taskId)), 'run-now names the task it started');
    assert.ok(targetsOf('POST', '/api/v1/tokens').some(([st, t]) => st === 201 && t === String(token.id)));
    assert.deepEqual(targetsOf('POST', '/api/v1/workflows').filter(([, t]) => t === String(workflow.id)), [[201, String(workflow.id)]]);
    assert.deepEqual(targetsOf('POST', `/api/v1/workflows/${workflow.name}/runs`), [[202, String(run.id)]]);
  });

  it('records every mutating call with actor, role, status and address, and no secret', async () => {
    const page = await server.api.call<{ items: AuditEntry[]; nextCursor: string | null }>('GET', `/audit?actor=${encodeURIComponent(operatorToken.name)}`, [200]);
    const calls = page.items.map((a) => `${a.method} ${a.path} ${a.status} ${a.role} ${a.tokenId}`);
    // Refused by the guard for its role: recorded there, once.
    assert.equal(calls.filter((c) => c === `POST /api/v1/cronjobs 403 operator ${operatorToken.id}`).length, 1, calls.join('\n'));
    assert.ok(calls.includes(`POST /api/v1/cronjobs/${jobId}/run 202 operator ${operatorToken.id}`), calls.join('\n'));
    assert.ok(page.items.every((a) => /127\.0\.0\.1/.test(a.ip)), JSON.stringify(page.items));
    // Past the guard, refused by validation: recorded once, with its status.
    const bad = `refused-${randomId()}`;
    await expectApiError(operator.call('POST', `/cronjobs/${jobId}/run`, [202], { params: { [bad]: 'x' } }), 400);
    const refused = (await server.api.call<{ items: AuditEntry[] }>('GET', `/audit?actor=${encodeURIComponent(operatorToken.name)}`, [200])).items.filter((a) => a.path === `/api/v1/cronjobs/${jobId}/run` && a.status === 400);
    assert.equal(refused.length, 1, JSON.stringify(refused));
    const all = await server.api.call<{ items: AuditEntry[] }>('GET', '/audit?limit=1000', [200]);
    const created = all.items.find((a) => a.actor === 'admin' && a.method === 'POST' && a.path === '/api/v1/cronjobs');
    assert.equal(created?.targetId, String(jobId));
    assert.equal(created?.status, 201);
    assert.ok(all.items.some((a) => a.method === 'DELETE' && a.path.startsWith('/api/v1/tokens/') && a.status === 204));
    const text = JSON.stringify(all.items);
    assert.ok(!text.includes(secretValue) && !text.includes('cft_'), 'the audit log holds a secret');
    // Reads are not audited.
    assert.ok(!all.items.some((a) => (a.method as string) === 'GET'));
    const since = new Date(Date.now() - 600_000).toISOString();
    const until = new Date(Date.now() + 1000).toISOString();
    assert.equal((await server.api.call<{ items: AuditEntry[] }>('GET', `/audit?limit=1000&since=${since}&until=${until}`, [200])).items.length, all.items.length);
    assert.equal((await server.api.call<{ items: AuditEntry[] }>('GET', `/audit?since=${until}`, [200])).items.length, 0);
    assert.equal(errorBody(await expectApiError(server.api.call('GET', '/audit?since=yesterday', [200]), 400)).code, 'ValidationFailed');
    const first = await server.api.call<{ items: AuditEntry[]; nextCursor: string | null }>('GET', '/audit?limit=1', [200]);
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = await server.api.call<{ items: { id: number }[] }>('GET', `/audit?limit=1&cursor=${first.nextCursor}`, [200]);
    assert.ok(second.items[0].id < Number(first.nextCursor) + 1);
  });

  it('creates, lists and revokes tokens from the CLI', async () => {
    const name = `cli-${randomId()}`;
    const made = await cli(server, ['tokens', 'create', '--name', name, '--role', 'operator', '--expires-in', '30d', '-o', 'json']);
    assert.equal(made.code, 0, made.stderr);
    const t = JSON.parse(made.stdout) as CreatedToken;
    assert.match(t.token, /^cft_/);
    assert.ok(t.expiresAt && Date.parse(t.expiresAt) - Date.now() > 29 * 86_400_000);
    const ls = await cli(server, ['tokens', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`${name}\\s+operator\\s+active`));
    const revoked = await cli(server, ['tokens', 'revoke', String(t.id), '--yes']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await cli(server, ['tokens', 'ls'])).stdout, new RegExp(`${name}\\s+operator\\s+revoked`));
    const bad = await cli(server, ['tokens', 'create', '--name', 'x', '--role', 'root']);
    assert.equal(bad.code, 2);
  });

  // Last: once the address is blocked, every token check from it is refused for a minute.
  it('answers 429 with Retry-After after repeated bad tokens, before checking any token', async () => {
    const bad = server.api.withToken(`cft_${randomId(32)}`);
    let refused: ApiError | undefined;
    for (let i = 0; i < 25 && !refused; i++) {
      const e = await expectApiError(bad.listCronJobs(), 401).catch(() => undefined);
      if (!e) refused = await expectApiError(bad.listCronJobs(), 429);
    }
    assert.ok(refused, 'never answered 429');
    const body = errorBody(refused);
    assert.equal(body.code, 'TooManyAuthFailures');
    assert.match(String(body.message), /too many failed authentication attempts .* try again in \d+ s/);
    const res = await fetch(`${server.url}/api/v1/cronjobs`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    // Probes need no token and stay open.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
