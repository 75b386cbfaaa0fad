// Tracing end to end: a real server on MariaDB + Redis and a real worker, both exporting spans over
// OTLP/HTTP (JSON) to a receiver in this test. One task's spans must form one tree: one trace id,
// every parent present but the root's, the task id on every span, no secret anywhere. A task made
// by a REST call hangs under that request's span, itself the child of the caller's traceparent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNoLeakedProcesses, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpTraces {
  resourceSpans: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }[] }[] }[];
}

const value = (v: OtlpValue): string | number | boolean => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ''));
const attributes = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, value(a.value)]));

/** An OTLP/HTTP receiver: keeps every span posted to /v1/traces as JSON, and the raw bodies. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !(req.headers['content-type'] ?? '').includes('json')) {
          res.writeHead(415).end();
          return;
        }
        this.bodies.push(body);
        const traces = JSON.parse(body) as OtlpTraces;
        for (const rs of traces.resourceSpans) {
          const service = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans ?? []) {
              this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, attributes: attributes(s.attributes) });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The spans of the trace holding task `taskId`'s spans. */
  traceOf(taskId: number): ReceivedSpan[] {
    const traceIds = new Set(this.spans.filter((s) => s.attributes['cronfleet.task_id'] === taskId).map((s) => s.traceId));
    return this.spans.filter((s) => traceIds.has(s.traceId));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Asserts `spans` form one tree rooted at a span named `rootName` (whose parent, if any, is
 * `externalParent`: the caller's span, outside what Cronfleet exports), dispatch and result hanging
 * under `taskRoot`, and returns the names in it.
 */
function assertOneTree(spans: ReceivedSpan[], taskId: number, rootName: string, taskRoot = rootName, externalParent?: string): string[] {
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, `one trace id: ${JSON.stringify(spans.map((s) => [s.name, s.traceId]))}`);
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  assert.deepEqual(roots.map((s) => s.name), [rootName], 'exactly one root');
  assert.equal(roots[0].parentSpanId || undefined, externalParent, "the root's parent");
  for (const s of spans) assert.equal(s.attributes['cronfleet.task_id'], taskId, `${s.name} carries the task id`);
  const parent = (name: string) => spans.find((s) => s.spanId === spans.find((x) => x.name === name)?.parentSpanId)?.name;
  assert.equal(parent('task.dispatch'), taskRoot);
  assert.equal(parent('task.run'), 'task.dispatch');
  assert.equal(parent('runner.command'), 'task.run');
  assert.equal(parent('task.result'), taskRoot);
  for (const s of spans) assert.equal(s.service, s.name.startsWith('task.run') || s.name.startsWith('runner.') ? 'cronfleet-worker' : 'cronfleet-apiserver', `service of ${s.name}`);
  return spans.map((s) => s.name).sort();
}

describe('tracing of tasks over OTLP with a real server and worker', { timeout: 180_000 }, () => {
  const receiver = new OtlpReceiver();
  let server: TestServer | undefined;
  let worker: TestProcess | undefined;
  const workerName = `e2e-trace-${randomId()}`;
  const secret = `s3cret-${randomId()}`;
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

  before(
    async () => {
      await receiver.start();
      // A short batch delay so spans arrive within the test; the standard OTEL_* variables.
      const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
      server = await startServer({ backend: 'mysql', env: otel });
      worker = startWorker(server, workerName, { env: otel });
      await waitForWorkerOnline(srv().api, { name: workerName, timeoutMs: 15_000, details: logs });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await worker?.stop();
      await server?.stop();
      await receiver.stop();
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  const waitForTree = async (taskId: number, names: string[]) =>
    waitFor(
      async () => {
        const spans = receiver.traceOf(taskId);
        return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
      },
      { timeoutMs: 15_000, what: `spans ${names.join(', ')} of task ${taskId} (got ${receiver.spans.length} spans)`, details: logs },
    );

  it('exports a scheduled task as one tree: task.due → task.dispatch → task.run → runner.command, and task.result', async () => {
    const { api } = srv();
    const job = await api.createCronJob({ name: `trace-${randomId()}`, schedule: '@every 1s', runner: 'command', spec: { command: 'sh', args: ['-c', 'echo "$TOKEN" >/dev/null; exit 0'] }, env: { TOKEN: secret } });
    let taskId: number;
    try {
      taskId = await waitFor(async () => (await api.listTasks({ cronjobId: job.id, status: 'success', limit: 1 })).items[0]?.id, { timeoutMs: 20_000, what: `a successful task of job ${job.id}`, details: logs });
    } finally {
      await api.updateCronJob(job.id, { enabled: false });
    }
    const names = ['task.due', 'task.dispatch', 'task.run', 'runner.command', 'task.result'];
    const spans = await waitForTree(taskId, names);
    assert.deepEqual(assertOneTree(spans, taskId, 'task.due'), [...names].sort());
    const due = spans.find((s) => s.name === 'task.due')!;
    assert.equal(due.attributes['cronfleet.cronjob_id'], job.id);
    assert.equal(due.attributes['cronfleet.cronjob_name'], job.name);
    assert.match(String(due.attributes['cronfleet.scheduled_at']), /^\d{4}-\d\d-\d\dT/);
    const run = spans.find((s) => s.name === 'task.run')!;
    assert.equal(run.attributes['cronfleet.worker_name'], workerName);
    assert.equal(run.attributes['cronfleet.runner'], 'command');
    assert.equal(run.attributes['cronfleet.attempt'], 1);
    assert.equal(spans.find((s) => s.name === 'runner.command')!.attributes['cronfleet.exit_code'], 0);
    assert.equal(spans.find((s) => s.name === 'task.result')!.attributes['cronfleet.status'], 'success');
    assert.ok(receiver.bodies.every((b) => !b.includes(secret)), 'the job env value is in no exported span');
  });

  it('exports a run-now task as one tree rooted at its REST request, then task.create, with a failing exit code', async () => {
    const { api } = srv();
    const job = await api.createCronJob({ name: `trace-now-${randomId()}`, schedule: '0 0 1 1 *', runner: 'command', spec: { command: 'sh', args: ['-c', 'exit 3'] }, enabled: false });
    const { taskId } = await api.runCronJob(job.id);
    const ended = await waitForTaskEnd(api, taskId, { timeoutMs: 15_000, what: `task ${taskId} to end`, details: logs });
    assert.equal(ended.status, 'failed');
    const request = 'POST /api/v1/cronjobs/{id}/run';
    const names = [request, 'task.create', 'task.dispatch', 'task.run', 'runner.command', 'task.result'];
    const spans = await waitForTree(taskId, names);
    assert.deepEqual(assertOneTree(spans, taskId, request, 'task.create'), [...names].sort());
    const http = spans.find((s) => s.name === request)!;
    assert.equal(http.attributes['http.route'], '/api/v1/cronjobs/{id}/run');
    assert.equal(http.attributes['http.response.status_code'], 202);
    assert.equal(spans.find((s) => s.name === 'runner.command')!.attributes['cronfleet.exit_code'], 3);
    assert.equal(spans.find((s) => s.name === 'task.result')!.attributes['cronfleet.status'], 'failed');
  });

  it("joins the caller's trace when a REST call sends a W3C traceparent", async () => {
    const { api } = srv();
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const res = await fetch(`${srv().url}/api/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${srv().adminToken}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ runner: 'command', spec: { command: 'true' } }),
    });
    assert.equal(res.status, 202);
    const { taskId } = (await res.json()) as { taskId: number };
    await waitForTaskEnd(api, taskId, { timeoutMs: 15_000, what: `task ${taskId} to end`, details: logs });
    const names = ['POST /api/v1/tasks', 'task.create', 'task.dispatch', 'task.run', 'runner.command', 'task.result'];
    const spans = await waitForTree(taskId, names);
    assertOneTree(spans, taskId, 'POST /api/v1/tasks', 'task.create', callerSpan);
    assert.equal(spans[0].traceId, traceId, "the caller's trace id");
  });
});
