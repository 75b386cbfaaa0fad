// Job chains end to end (issue 8) with a real worker: a job's triggers start other jobs when one of
// its tasks has ended for good, passing its result on as environment; a failure triggers onFailure
// only after the last retry; cycles, unknown jobs and renaming a triggered job are refused on save.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, assertNoLeakedProcesses, childEnv, errorBody, expectApiError, messageText, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type Task, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

describe('job chains', { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const tag = randomId();
  const job = (name: string, script: string, extra: Record<string, unknown> = {}) =>
    server.api.createCronJob({ name: `${name}-${tag}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', script] }, ...extra });
  const chainedTasks = async (jobId: number): Promise<Task[]> => (await server.api.listTasks({ cronjobId: jobId })).items.filter((t) => t.trigger === 'chain');

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `e2e-chains-${randomId()}`);
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('starts onSuccess jobs with the marked result as environment, and onFailure jobs only after the last retry', async () => {
    const load = await job('load', 'echo "rows=$CRONFLEET_RESULT_ROWS file=$CRONFLEET_RESULT_FILE from=$CRONFLEET_UPSTREAM_TASK_ID $CRONFLEET_UPSTREAM_STATUS"');
    const alert = await job('alert', 'echo "alert: $CRONFLEET_UPSTREAM_STATUS of $CRONFLEET_UPSTREAM_TASK_ID, last line: $CRONFLEET_UPSTREAM_RESULT"');
    const extract = await job('extract', 'echo working; echo \'::cronfleet-result::{"rows": 42, "file": "a.csv"}\'; echo done', {
      triggers: { onSuccess: [load.name], onFailure: [alert.name] },
    });
    assert.deepEqual((extract as unknown as { triggers: unknown }).triggers, { onSuccess: [load.name], onFailure: [alert.name] });

    const upstream = (await server.api.runCronJob(extract.id)).taskId;
    assert.equal((await waitForTaskEnd(server.api, upstream, { timeoutMs: 30_000, details: logs })).status, 'success');
    const [chained] = await waitFor(async () => {
      const t = await chainedTasks(load.id);
      return t.length > 0 ? t : null;
    }, { timeoutMs: 20_000, what: 'the chained load task', details: logs });
    assert.equal((await waitForTaskEnd(server.api, chained.id, { timeoutMs: 30_000, details: logs })).status, 'success');
    assert.equal(await server.api.taskOutput(chained.id), `rows=42 file=a.csv from=${upstream} success\n`);
    assert.deepEqual(await chainedTasks(alert.id), [], 'a success does not start onFailure jobs');

    // A failing job with one retry: the alert comes once, after the second attempt failed.
    const flaky = await job('flaky', 'echo "disk full"; exit 3', { triggers: { onFailure: [alert.name] }, retry: { maxRetries: 1, backoff: 'fixed', delaySeconds: 1, jitter: false } });
    const first = (await server.api.runCronJob(flaky.id)).taskId;
    assert.equal((await waitForTaskEnd(server.api, first, { timeoutMs: 30_000, details: logs })).status, 'failed');
    const [alerted] = await waitFor(async () => {
      const t = await chainedTasks(alert.id);
      return t.length > 0 ? t : null;
    }, { timeoutMs: 30_000, what: 'the alert after the last attempt', details: logs });
    const attempts = (await server.api.listTasks({ cronjobId: flaky.id })).items;
    assert.equal(attempts.length, 2, 'the first attempt was retried once');
    assert.ok(attempts.every((t) => t.status === 'failed'));
    const last = attempts.find((t) => t.attempt === 2)!;
    assert.equal((await waitForTaskEnd(server.api, alerted.id, { timeoutMs: 30_000, details: logs })).status, 'success');
    assert.equal(await server.api.taskOutput(alerted.id), `alert: failed of ${last.id}, last line: disk full\n`, 'the alert came from the last attempt');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await chainedTasks(alert.id)).length, 1, 'one alert for one failed run, not one per attempt');
  });

  it('refuses a cycle, naming it; an unknown job; and renaming a job others trigger', async () => {
    const a = await job('cyc-a', 'true');
    const b = await job('cyc-b', 'true', { triggers: { onComplete: [a.name] } });
    const cycle = messageText(errorBody(await expectApiError(server.api.updateCronJob(a.id, { triggers: { onSuccess: [b.name] } } as never), 400)));
    assert.match(cycle, new RegExp(`triggers: would form a cycle: (${a.name} → ${b.name} → ${a.name}|${b.name} → ${a.name} → ${b.name})`));
    const self = messageText(errorBody(await expectApiError(server.api.updateCronJob(a.id, { triggers: { onFailure: [a.name] } } as never), 400)));
    assert.match(self, /would form a cycle/);
    const unknown = messageText(errorBody(await expectApiError(job('orphan', 'true', { triggers: { onSuccess: ['no-such-job'] } }), 400)));
    assert.match(unknown, /triggers: no cron job named 'no-such-job'/);
    const rename = messageText(errorBody(await expectApiError(server.api.updateCronJob(a.id, { name: `renamed-${tag}` }), 400)));
    assert.match(rename, new RegExp(`name: '${b.name}' trigger this job`));
    assert.deepEqual((await server.api.getCronJob(a.id) as unknown as { triggers: unknown }).triggers, {}, 'nothing refused was stored');
  });

  it('applies a job file whose jobs trigger each other in any order: the triggered ones are created first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cronfleet-chains-'));
    try {
      const file = join(dir, 'jobs.yaml');
      const yaml = [`- name: first-${tag}`, `  schedule: "@yearly"`, `  enabled: false`, `  runner: command`, `  spec: { command: "true" }`, `  triggers: { onSuccess: [second-${tag}] }`,
        `- name: second-${tag}`, `  schedule: "@yearly"`, `  enabled: false`, `  runner: command`, `  spec: { command: "true" }`].join('\n');
      writeFileSync(file, yaml + '\n');
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env = childEnv({ CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: server.adminToken });
        execFile(process.execPath, [CLI_BIN, 'cronjobs', 'apply', '-f', file], { env, timeout: 60_000 }, (e, stdout, stderr) =>
          resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
        );
      });
      assert.equal(out.code, 0, out.stderr + out.stdout);
      assert.match(out.stdout, new RegExp(`second-${tag}' \\(id \\d+\\) created[\\s\\S]*first-${tag}' \\(id \\d+\\) created`));
      const first = (await server.api.listCronJobs()).items.find((j) => j.name === `first-${tag}`)!;
      assert.deepEqual((first as unknown as { triggers: unknown }).triggers, { onSuccess: [`second-${tag}`] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
