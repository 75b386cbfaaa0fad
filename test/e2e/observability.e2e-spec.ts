// Operator surfaces end to end: Prometheus metrics after real tasks ran on a real worker, the
// readiness probe, JSON logs and LOG_LEVEL, and the OpenAPI document with Swagger UI, all served
// by a real server process without a token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoLeakedProcesses,
  randomId,
  startServer,
  startWorker,
  waitFor,
  type Task,
  type TestProcess,
  type TestServer,
  waitForTaskEnd, waitForWorkerOnline } from './helpers';

/** A schedule that does not come due while the test runs, for jobs started with run-now. */
const FAR_SCHEDULE = '0 0 1 1 *';

/** One sample of the Prometheus text format: the value of `name` with (at least) these labels; undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Lines of a server's output that are not the plain start-up lines for people (`cronfleet: ...`). */
function logLines(proc: TestProcess): string[] {
  return proc
    .output(1_000_000)
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('cronfleet: '));
}

function parseJsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`a log line is not JSON: ${l}`);
    }
  });
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('observability of a server on MariaDB + Redis with one worker', { timeout: 180_000 }, () => {
  let server: TestServer | undefined;
  let worker: TestProcess | undefined;
  const workerName = `e2e-obs-${randomId()}`;
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

  before(
    async () => {
      server = await startServer({ backend: 'mysql' });
      worker = startWorker(server, workerName);
      await waitForWorkerOnline(srv().api, { name: workerName, timeoutMs: 15_000, details: logs });
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

  it('counts task ends by status and runner, their durations and the schedule lag in /metrics, without a token', async () => {
    const { api } = srv();
    const every = await api.createCronJob({ name: `obs-every-${randomId()}`, schedule: '@every 1s', runner: 'command', spec: { command: 'echo', args: ['tick'] } });
    const failing = await api.createCronJob({ name: `obs-fail-${randomId()}`, schedule: FAR_SCHEDULE, runner: 'command', spec: { command: 'false', args: [] }, enabled: false });
    try {
      await waitFor(async () => (await api.listTasks({ cronjobId: every.id, status: 'success', limit: 3 })).items.length >= 3, {
        timeoutMs: 20_000,
        what: `3 successful tasks of job ${every.id}`,
        details: logs,
      });
    } finally {
      await api.updateCronJob(every.id, { enabled: false });
    }
    const { taskId } = await api.runCronJob(failing.id);
    const ended = await waitForTaskEnd(api, taskId, { timeoutMs: 15_000, what: `task ${taskId} of the failing job to end`, details: logs });
    assert.equal(ended.status, 'failed');

    // Ends are counted once recorded, which the API may show a moment earlier: wait for the scrape to catch up.
    const text = await waitFor(
      async () => {
        const r = await get(`${srv().url}/metrics`);
        assert.equal(r.status, 200);
        const ok = (sample(r.text, 'cronfleet_task_ends_total', { status: 'success', runner: 'command' }) ?? 0) >= 3 && (sample(r.text, 'cronfleet_task_ends_total', { status: 'failed', runner: 'command' }) ?? 0) >= 1;
        return ok && r;
      },
      { timeoutMs: 10_000, what: '/metrics to count 3 successes and 1 failure of command tasks', details: logs },
    );
    assert.match(text.type, /^text\/plain;.*version=0\.0\.4/);
    const body = text.text;
    assert.ok((sample(body, 'cronfleet_task_duration_seconds_count', { runner: 'command' }) ?? 0) >= 4, 'durations of the ended tasks');
    assert.ok((sample(body, 'cronfleet_schedule_lag_seconds_count') ?? 0) >= 4, 'a lag observation per task sent');
    assert.ok(sample(body, 'cronfleet_schedule_lag_seconds_bucket', { le: '0.001' }) !== undefined, 'a 1 ms bucket');
    assert.equal(sample(body, 'cronfleet_leader'), 1);
    assert.equal(sample(body, 'cronfleet_workers_online'), 1);
    assert.ok(sample(body, 'cronfleet_dispatcher_heap_entries')! >= 1, 'the heap holds at least the worker silence check');
    assert.equal(typeof sample(body, 'cronfleet_tasks_pending'), 'number');
    assert.equal(typeof sample(body, 'cronfleet_tasks_running'), 'number');
    assert.ok(sample(body, 'process_resident_memory_bytes')! > 0, 'default process metrics');
  });

  it('answers /readyz 200 naming the database, migrations and Redis, and /healthz stays alive', async () => {
    const ready = await get(`${srv().url}/readyz`);
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(JSON.parse(ready.text), {
      status: 'ready',
      notReady: [],
      checks: { database: { ok: true }, migrations: { ok: true }, redis: { ok: true } },
    });
    const health = await get(`${srv().url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.text) as { status: string }).status, 'ok');
  });

  it('serves Swagger UI from its own files and the OpenAPI document, without a token', async () => {
    const page = await get(`${srv().url}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.ok(page.text.includes('/api/docs/swagger-ui-bundle.js') && page.text.includes('/api/docs/openapi.json'));
    assert.doesNotMatch(page.text, /https?:\/\//, 'the page loads nothing from outside');
    const bundle = await get(`${srv().url}/api/docs/swagger-ui-bundle.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.type, /javascript/);
    assert.equal((await get(`${srv().url}/api/docs/package.json`)).status, 404, 'only the UI files are served');

    const doc = await get(`${srv().url}/api/docs/openapi.json`);
    assert.equal(doc.status, 200);
    const d = JSON.parse(doc.text) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>> };
    assert.equal(d.openapi, '3.1.0');
    const create = d.paths['/api/v1/cronjobs']?.post;
    assert.ok(create?.requestBody, 'POST /api/v1/cronjobs has a request body');
    const schema = create.requestBody.content['application/json'].schema;
    assert.ok(['name', 'schedule', 'runner', 'spec', 'retry', 'routing'].every((f) => f in schema.properties), JSON.stringify(schema).slice(0, 500));
    assert.deepEqual(schema.required, ['name', 'schedule', 'runner', 'spec']);
    assert.ok(d.paths['/api/v1/tasks/{id}']?.get, 'the task routes are there too');
  });

  it('logs JSON lines with level, time, context and msg, task ids as fields', () => {
    const lines = parseJsonLines(logLines(srv().process));
    assert.ok(lines.length > 0, 'the server logged nothing');
    for (const l of lines) {
      assert.ok(typeof l.level === 'string' && typeof l.msg === 'string' && typeof l.time === 'string', `missing level, msg or time: ${JSON.stringify(l)}`);
    }
    assert.ok(
      lines.some((l) => l.level === 'info' && l.context === 'dispatcher' && String(l.msg).startsWith('leading (epoch')),
      `no info line from the dispatcher saying it leads:\n${logs()}`,
    );
    assert.ok(srv().process.output(1_000_000).includes('cronfleet: API server listening on'), 'the start-up lines for people are still there');
  });
});

describe('LOG_LEVEL', { timeout: 90_000 }, () => {
  let server: TestServer | undefined;

  after(
    async () => {
      await server?.stop();
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it('at warn, the server writes no info lines', async () => {
    server = await startServer({ backend: 'embedded', env: { LOG_LEVEL: 'warn' } });
    // The leader's "leading (epoch …)" line is written at info as soon as it leads: wait until it leads.
    await waitFor(async () => (await server!.api.call<{ isLeader: boolean }>('GET', '/scheduler', [200])).isLeader, {
      timeoutMs: 15_000,
      what: 'the server to lead',
      details: () => server!.process.report(),
    });
    const lines = parseJsonLines(logLines(server.process));
    const below = lines.filter((l) => !['warn', 'error', 'fatal'].includes(String(l.level)));
    assert.deepEqual(below, [], 'lines below warn');
    assert.ok(server.process.output().includes('cronfleet: API server listening on'), 'the start-up lines for people are still there');
  });

  it('refuses an unknown level at start, saying which variable is wrong and what it may be (exit code 2)', async () => {
    await assert.rejects(
      startServer({ backend: 'embedded', env: { LOG_LEVEL: 'loud' } }),
      (e: Error) => /the server exited before it was ready \(exit code 2\)/.test(e.message) && /LOG_LEVEL='loud': must be one of trace, debug, info, warn, error, fatal/.test(e.message),
    );
  });
});
