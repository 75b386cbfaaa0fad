// Job notifications end to end: a real server and worker, a real local HTTP receiver (answering 503
// once, to see the retry, and checking the signature) and a real local SMTP server (smtp-server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import {
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  messageText,
  randomId,
  startServer,
  startWorker,
  waitFor,
  type Task,
  type TestProcess,
  type TestServer,
  waitForTaskEnd, waitForWorkerOnline } from './helpers';

const SECRET = `whsec-${randomId(12)}`;

interface Hook {
  status: number;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Mail {
  from: string;
  to: string[];
  raw: string;
}
/** The webhook body (docs/notifications.md). */
interface Payload {
  event: string;
  job: { id: number; name: string };
  task: { id: number; status: string; attempt: number; attempts: number; exitCode: number | null; error: unknown; startedAt: string | null; finishedAt: string | null };
  final: boolean;
  retry: { delayMs: number; at: string } | null;
  at: string;
}
interface NotifyView {
  on: string[];
  webhook?: { url: string; headerNames: string[] };
  email?: { to: string[] };
}

describe('job notifications', { timeout: 120_000 }, () => {
  let server: TestServer | undefined;
  let bare: TestServer | undefined;
  let worker: TestProcess | undefined;
  let receiver: Server | undefined;
  let smtp: SMTPServer | undefined;
  let hookUrl = '';
  let smtpPort = 0;
  const hooks: Hook[] = [];
  const mails: Mail[] = [];
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const waitForEnd = (id: number): Promise<Task> => waitForTaskEnd(srv().api, id, { timeoutMs: 20_000, details: logs });

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // The very first request is refused as if the receiver were briefly down.
        const status = hooks.length === 0 ? 503 : 200;
        hooks.push({ status, url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/cronfleet?token=abc`;

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;

    server = await startServer({
      backend: 'embedded',
      env: { CRONFLEET_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, CRONFLEET_SMTP_FROM: 'cronfleet@test.local', CRONFLEET_WEBHOOK_SECRET: SECRET },
    });
    worker = startWorker(server, `e2e-notify-${randomId()}`);
    await waitForWorkerOnline(srv().api, { timeoutMs: 15_000, details: logs });
  });

  after(async () => {
    await worker?.stop();
    await server?.stop();
    await bare?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    assertNoLeakedProcesses();
  });

  it('sends failure, then recovered and success, signed, retrying a 503, and emails the failure', async () => {
    const marker = join(srv().dataDir, `ran-once-${randomId()}`);
    const name = `n-${randomId()}`;
    const job = await srv().api.createCronJob({
      name,
      schedule: '0 0 1 1 *',
      enabled: false,
      runner: 'command',
      // Fails the first time, succeeds from then on.
      spec: { command: 'sh', args: ['-c', `if [ -f '${marker}' ]; then exit 0; fi; touch '${marker}'; exit 3`] },
      notify: [
        { on: ['failure', 'recovered', 'success'], webhook: { url: hookUrl, headers: { Authorization: 'Bearer hook-token' } } },
        { on: ['failure'], email: { to: ['ops@test.local'] } },
      ],
    });
    const shown = (job as unknown as { notify: NotifyView[] }).notify;
    assert.deepEqual(shown, [
      { on: ['failure', 'recovered', 'success'], webhook: { url: hookUrl, headerNames: ['Authorization'] } },
      { on: ['failure'], email: { to: ['ops@test.local'] } },
    ]);
    assert.ok(!JSON.stringify(await srv().api.getCronJob(job.id)).includes('hook-token'), 'a header value was returned');

    const first = await srv().api.runCronJob(job.id);
    assert.equal((await waitForEnd(first.taskId)).status, 'failed');
    // The failure's first delivery got 503; wait for its retry before the next run, so events keep their order.
    await waitFor(() => hooks.some((h) => h.status === 200 && h.headers['x-cronfleet-event'] === 'failure'), { timeoutMs: 30_000, what: 'the failure webhook delivered', details: logs });
    const second = await srv().api.runCronJob(job.id);
    assert.equal((await waitForEnd(second.taskId)).status, 'success');
    const delivered = await waitFor(
      () => {
        const ok = hooks.filter((h) => h.status === 200);
        return ok.length >= 3 && ok;
      },
      { timeoutMs: 30_000, what: 'three webhooks delivered', details: logs },
    );

    for (const h of hooks) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(h.body).digest('hex')}`;
      assert.equal(h.headers['x-cronfleet-signature'], expected, 'signature');
      assert.equal(h.headers['content-type'], 'application/json');
      assert.equal(h.headers.authorization, 'Bearer hook-token');
      assert.equal(h.headers['x-cronfleet-event'], (JSON.parse(h.body) as { event: string }).event);
      assert.ok(h.headers['x-cronfleet-delivery']);
    }
    const refused = hooks[0];
    assert.equal(refused.status, 503);
    const retried = hooks.find((h, i) => i > 0 && h.headers['x-cronfleet-delivery'] === refused.headers['x-cronfleet-delivery']);
    assert.ok(retried && retried.status === 200 && retried.body === refused.body, 'the 503 was retried with the same delivery id and body');

    const bodies = delivered.map((h) => JSON.parse(h.body) as { event: string; job: { id: number; name: string }; task: { id: number; status: string; exitCode: number | null; attempt: number; startedAt: string | null; finishedAt: string | null }; at: string });
    assert.deepEqual(bodies.map((b) => b.event).sort(), ['failure', 'recovered', 'success']);
    const failure = bodies.find((b) => b.event === 'failure')!;
    assert.deepEqual(failure.job, { id: job.id, name });
    assert.equal(failure.task.id, first.taskId);
    assert.equal(failure.task.status, 'failed');
    assert.equal(failure.task.exitCode, 3);
    assert.equal(failure.task.attempt, 1);
    assert.ok(failure.task.startedAt && failure.task.finishedAt && failure.at);
    for (const b of bodies.filter((x) => x.event !== 'failure')) {
      assert.equal(b.task.id, second.taskId);
      assert.equal(b.task.status, 'success');
    }

    const mail = await waitFor(() => mails[0], { timeoutMs: 30_000, what: 'the failure email', details: logs });
    assert.equal(mail.from, 'cronfleet@test.local');
    assert.deepEqual(mail.to, ['ops@test.local']);
    assert.match(mail.raw, new RegExp(`^Subject: \\[cronfleet\\] ${name} failure: task ${first.taskId}\\r?$`, 'm'));
    assert.match(mail.raw, /status: +failed/);
    assert.match(mail.raw, /exit code: +3/);
    assert.equal(mails.length, 1, 'only the failure was subscribed to by email');
  });

  /** Delivered webhooks of job `name` (every one is answered 200 from the second request on), by rule. */
  const deliveredFor = (name: string, rule: string): Payload[] =>
    hooks
      .filter((h) => h.status === 200 && new URL(h.url, 'http://x').searchParams.get('rule') === rule)
      .map((h) => JSON.parse(h.body) as Payload)
      .filter((b) => b.job.name === name);
  // A retry waits 1 s, so each attempt's notifications are queued (and, answered 200 at once, sent)
  // well before the next attempt runs: once the last attempt's have arrived, so have all earlier ones.
  const retry = { maxRetries: 2, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 1, jitter: false };
  const tasksOf = async (jobId: number): Promise<Task[]> => (await srv().api.listTasks({ cronjobId: jobId })).items.sort((a, b) => a.attempt - b.attempt);

  it('sends one failure for a run whose retries all failed, naming attempt 3 of 3, and an attemptFailure per attempt saying whether a retry follows', async () => {
    const name = `r-${randomId()}`;
    const job = await srv().api.createCronJob({
      name,
      schedule: '0 0 1 1 *',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'exit 4'] },
      retry,
      notify: [
        { on: ['failure'], webhook: { url: `${hookUrl}&rule=run` } },
        { on: ['attemptFailure'], webhook: { url: `${hookUrl}&rule=attempt` } },
      ],
    });
    await srv().api.runCronJob(job.id);
    const last = await waitFor(async () => (await tasksOf(job.id)).find((t) => t.attempt === 3 && t.status === 'failed'), { timeoutMs: 30_000, what: 'the third attempt failed', details: logs });
    await waitFor(() => deliveredFor(name, 'run').length >= 1 && deliveredFor(name, 'attempt').length >= 3, { timeoutMs: 30_000, what: 'the failure and three attemptFailure webhooks', details: logs });
    const tasks = await tasksOf(job.id);
    assert.deepEqual(tasks.map((t) => [t.attempt, t.status]), [[1, 'failed'], [2, 'failed'], [3, 'failed']]);

    const failures = deliveredFor(name, 'run');
    assert.equal(failures.length, 1, `one failure per run: ${JSON.stringify(failures)}`);
    const [failure] = failures;
    assert.equal(failure.event, 'failure');
    assert.equal(failure.task.id, last.id);
    assert.equal(failure.task.attempt, 3);
    assert.equal(failure.task.attempts, 3);
    assert.equal(failure.task.exitCode, 4);
    assert.deepEqual(failure.task.error, (await srv().api.getTask(last.id)).error, "the final attempt's error");
    assert.equal(failure.final, true);
    assert.equal(failure.retry, null);

    const attempts = deliveredFor(name, 'attempt').sort((a, b) => a.task.attempt - b.task.attempt);
    assert.equal(attempts.length, 3);
    assert.deepEqual(attempts.map((b) => [b.event, b.task.id, b.task.attempt, b.task.attempts, b.final]), [
      ['attemptFailure', tasks[0].id, 1, 3, false],
      ['attemptFailure', tasks[1].id, 2, 3, false],
      ['attemptFailure', tasks[2].id, 3, 3, true],
    ]);
    for (const b of attempts.slice(0, 2)) {
      assert.equal(b.retry?.delayMs, 1000);
      assert.ok(Date.parse(b.retry.at) >= Date.parse(b.task.finishedAt!), `the retry is due after the attempt ended: ${JSON.stringify(b)}`);
    }
    assert.equal(attempts[2].retry, null);
  });

  it('sends no failure and one success for a run that failed once and then succeeded', async () => {
    const marker = join(srv().dataDir, `flaky-${randomId()}`);
    const name = `f-${randomId()}`;
    const job = await srv().api.createCronJob({
      name,
      schedule: '0 0 1 1 *',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', `if [ -f '${marker}' ]; then exit 0; fi; touch '${marker}'; exit 3`] },
      retry,
      notify: [{ on: ['failure', 'success', 'recovered'], webhook: { url: `${hookUrl}&rule=flaky` } }],
    });
    await srv().api.runCronJob(job.id);
    const success = await waitFor(async () => (await tasksOf(job.id)).find((t) => t.status === 'success'), { timeoutMs: 30_000, what: 'the retry succeeded', details: logs });
    assert.equal(success.attempt, 2);
    await waitFor(() => deliveredFor(name, 'flaky').some((b) => b.event === 'success'), { timeoutMs: 30_000, what: 'the success webhook', details: logs });
    const bodies = deliveredFor(name, 'flaky');
    // No recovered either: the run's own failed attempt raised no failure to recover from.
    assert.deepEqual(bodies.map((b) => [b.event, b.task.id, b.task.attempt, b.final]), [['success', success.id, 2, true]]);
  });

  it('names the field of an invalid notify entry', async () => {
    const base = { name: `v-${randomId()}`, schedule: '@daily', runner: 'command', spec: { command: 'true' } };
    const cases: [unknown, string][] = [
      [[{ on: ['failure'], webhook: { url: 'ftp://example.com/x' } }], 'notify.0.webhook.url'],
      [[{ on: [], webhook: { url: 'https://example.com/x' } }], 'notify.0.on'],
      [[{ on: ['failure'] }], 'notify.0: needs a webhook or an email'],
      [[{ on: ['failure'], email: { to: ['not an address'] } }], 'notify.0.email.to.0'],
      [[{ on: ['failure'], webhook: { url: 'https://example.com/x', headers: { 'X-Cronfleet-Signature': 'forged' } } }], 'notify.0.webhook.headers'],
      [Array.from({ length: 21 }, () => ({ on: ['failure'], webhook: { url: 'https://example.com/x' } })), 'notify: must have at most 20 entries'],
    ];
    for (const [notify, field] of cases) {
      const e = await expectApiError(srv().api.createCronJob({ ...base, notify }), 400);
      assert.ok(messageText(errorBody(e)).includes(field), `${JSON.stringify(notify).slice(0, 120)}: expected '${field}' in: ${e.text}`);
    }
  });

  it('refuses email entries on a server without SMTP settings, naming them', async () => {
    bare = await startServer({ backend: 'embedded' });
    const body = { name: `m-${randomId()}`, schedule: '@daily', runner: 'command', spec: { command: 'true' }, notify: [{ on: ['failure'], webhook: { url: 'https://example.com/x' } }, { on: ['failure'], email: { to: ['ops@test.local'] } }] };
    const e = await expectApiError(bare.api.createCronJob(body), 400);
    const text = messageText(errorBody(e));
    assert.match(text, /notify\.1\.email/);
    assert.match(text, /CRONFLEET_SMTP_URL and CRONFLEET_SMTP_FROM/);
    const ok = await bare.api.createCronJob({ ...body, notify: [body.notify[0]] });
    assert.equal((ok as unknown as { notify: NotifyView[] }).notify.length, 1);
  });
});
