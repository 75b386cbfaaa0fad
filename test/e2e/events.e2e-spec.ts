// The live event bus end to end, on the embedded backend with a real worker: `GET /sse/events` and
// the dashboard's socket.io namespace `/events` each see a job's run as task.created, task.started,
// task.output and task.finished in that order, filtered by the job; bad filters and missing tokens
// are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { SseParser, type SseMessage as SseEvent } from '../../client/src/sse-parser';
import { assertNoLeakedProcesses, ApiError, randomId, startServer, startWorker, waitFor, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface Live {
  type: string;
  data: Record<string, unknown>;
}

/** An open `GET /sse/events` stream collecting what it receives. */
class SseStream {
  readonly events: Live[] = [];
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  static async open(server: TestServer, query: string): Promise<SseStream> {
    const s = new SseStream();
    const res = await fetch(`${server.url}/api/v1/sse/events?${query}`, { headers: { authorization: `Bearer ${server.adminToken}` }, signal: s.abort.signal });
    assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve('') : res.text()));
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    s.reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const e of parser.push(decoder.decode(value, { stream: true })) as SseEvent[]) s.events.push({ type: e.event, data: JSON.parse(e.data) as Record<string, unknown> });
      }
    })().catch(() => undefined);
    return s;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}

const connect = (server: TestServer, auth: Record<string, unknown>): Socket =>
  io(`${server.url}/events`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });

describe('live events', { timeout: 120_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `e2e-events-${randomId()}`);
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('streams a job\'s life over SSE and the /events socket, filtered by the job, in order', async () => {
    const jobs = await SseStream.open(server, 'type=cronjob.');
    const other = await server.api.createCronJob({ name: `other-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    const job = await server.api.createCronJob({ name: `live-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', 'echo hello-live'] } });
    await waitFor(() => jobs.events.some((e) => e.type === 'cronjob.created' && e.data.cronjobId === job.id), { timeoutMs: 10_000, what: 'cronjob.created over SSE', details: logs });
    assert.ok(jobs.events.every((e) => e.type.startsWith('cronjob.')));

    const sse = await SseStream.open(server, `cronjobId=${job.id}`);
    const socket = connect(server, { token: server.adminToken });
    const received: Live[] = [];
    socket.on('event', (e: Live) => received.push(e));
    const ack = (await socket.timeout(10_000).emitWithAck('subscribe', { cronjobId: job.id })) as { ok: boolean };
    assert.deepEqual(ack, { ok: true });

    await server.api.updateCronJob(job.id, { timeoutSeconds: 60 } as never);
    await server.api.runCronJob(other.id);
    const { taskId } = await server.api.runCronJob(job.id);
    const finished = (list: Live[]) => list.some((e) => e.type === 'task.finished' && e.data.taskId === taskId);
    await waitFor(() => finished(sse.events) && finished(received), { timeoutMs: 30_000, what: 'task.finished over SSE and the socket', details: () => `${JSON.stringify({ sse: sse.events, socket: received })}\n${logs()}` });
    await sse.close();
    socket.disconnect();

    for (const [via, list] of [['SSE', sse.events], ['socket', received]] as const) {
      assert.ok(list.every((e) => e.data.cronjobId === job.id), `${via}: an event of another job: ${JSON.stringify(list)}`);
      const types = list.filter((e) => e.type.startsWith('task.')).map((e) => e.type);
      assert.equal(types[0], 'task.created', via);
      assert.equal(types[1], 'task.started', via);
      assert.equal(types[types.length - 1], 'task.finished', via);
      assert.ok(types.slice(2, -1).length > 0 && types.slice(2, -1).every((t) => t === 'task.output'), `${via}: ${types.join(', ')}`);
      const output = list.filter((e) => e.type === 'task.output').map((e) => e.data.data).join('');
      assert.match(output, /hello-live/, via);
      assert.equal(list.find((e) => e.type === 'task.finished')?.data.status, 'success', via);
      assert.ok(list.some((e) => e.type === 'cronjob.updated'), `${via}: no cronjob.updated`);
    }
    await jobs.close();
  });

  it('refuses a bad filter with 400 naming the field, and a request without the token with 401', async () => {
    const bad = await server.api.send('GET', '/sse/events?type=task.exploded', [400]);
    assert.match(bad.text, /type/);
    const badId = await server.api.send('GET', '/sse/events?cronjobId=abc', [400]);
    assert.match(badId.text, /cronjobId/);
    await assert.rejects(server.api.withToken(undefined).send('GET', '/sse/events', [200]), (e: unknown) => e instanceof ApiError && e.status === 401);
  });

  it('refuses a socket without the admin token, and a subscribe with a bad filter', async () => {
    for (const auth of [{}, { token: server.workerToken }]) {
      const s = connect(server, auth);
      const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
      s.disconnect();
      assert.match(err.message, /InvalidToken/);
    }
    const s = connect(server, { token: server.adminToken });
    const ack = (await s.timeout(10_000).emitWithAck('subscribe', { type: 'nope' })) as { ok: boolean; error?: { code: string; message: string } };
    s.disconnect();
    assert.equal(ack.ok, false);
    assert.equal(ack.error?.code, 'ValidationFailed');
    assert.match(ack.error?.message ?? '', /type/);
  });
});

describe('stopping a server with live streams open', { timeout: 60_000 }, () => {
  it('exits 0 on SIGTERM within a few seconds while an SSE stream stays open', async () => {
    const server = await startServer({ backend: 'embedded' });
    const sse = await SseStream.open(server, 'type=task.');
    try {
      const started = Date.now();
      server.process.child.kill('SIGTERM');
      const exited = await server.process.waitForExit(10_000);
      assert.ok(exited, `still running 10 s after SIGTERM with an SSE client connected\n${server.process.report()}`);
      assert.equal(server.process.exitDescription(), 'exit code 0');
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await sse.close();
      await server.stop();
    }
  });
});
