// `cronfleet export` and `cronfleet apply` end to end: the real CLI against two real servers (the
// embedded backend, or MariaDB with CRONFLEET_E2E_BACKEND=mysql). Jobs covering every field, a paused
// one, secrets, webhook headers, triggers (plain names and entries with param values) and a workflow
// are exported from one server, applied to an empty one and exported again: the two files must be
// the same bytes; applying an export to the server it came from must change nothing. Secret values
// never leave a server: the export says `${keep}`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  assertNoLeakedProcesses,
  randomId,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type Backend,
  type TestProcess,
  type TestServer,
  runCli as cli,
  type CliRun, waitForWorkerOnline } from './helpers';

const BACKEND: Backend = process.env.CRONFLEET_E2E_BACKEND === 'mysql' ? 'mysql' : 'embedded';
// Email rules are refused without SMTP settings; nothing is sent (no job runs into a notification here).
const SMTP = { CRONFLEET_SMTP_URL: 'smtp://127.0.0.1:2525', CRONFLEET_SMTP_FROM: 'cronfleet@example.com' };


describe('export and apply', { timeout: 240_000 }, () => {
  const sfx = randomId();
  const n = { a: `exp-${sfx}-a`, b: `exp-${sfx}-b`, c: `exp-${sfx}-c`, wf: `exp-${sfx}-etl` };
  const secret = { token: `tok-${randomId(12)}`, header: `Bearer hdr-${randomId(12)}` };
  const workerName = `exp-w-${sfx}`;
  const dir = mkdtempSync(join(tmpdir(), 'cronfleet-export-'));
  let source: TestServer;
  let target: TestServer;
  let worker: TestProcess | undefined;
  const outputs: string[] = [];
  /** Runs the CLI, keeps what it printed (checked for secrets at the end), fails unless it exits `code`. */
  const expectExit = async (server: TestServer, code: number, args: string[], env: Record<string, string> = {}): Promise<CliRun> => {
    const r = await cli(server, args, env);
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.code, code, `cronfleet ${args.join(' ')} exited ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  const file = (name: string, text?: string): string => {
    const p = join(dir, name);
    if (text !== undefined) writeFileSync(p, text);
    return p;
  };
  const sha = createHash('sha256').update(secret.token).digest('hex');

  // Every job field with a value other than its default somewhere; `c` is triggered by `a`, so it
  // must be created first although it sorts after it.
  const definitions = `
jobs:
  - name: ${n.a}
    schedule: "*/5 * * * *"
    timezone: Europe/Berlin
    runner: command
    spec: { command: sh, args: ["-c", "test \\"$(printf %s \\"$API_TOKEN\\" | sha256sum | cut -c1-64)\\" = ${sha}"] }
    env: { REGION: eu, MODE: full }
    secretEnv: { API_TOKEN: "${secret.token}" }
    timeoutSeconds: 600
    maxOutputBytes: 4096
    jitterSeconds: 7
    concurrencyPolicy: forbid
    misfirePolicy: catchUp
    catchUpLimit: 3
    startingDeadlineSeconds: 120
    retry: { maxRetries: 2, backoff: fixed, delaySeconds: 5, maxDelaySeconds: 60, jitter: false }
    priority: 5
    workerSelector: { labels: { zone: eu }, names: [${workerName}] }
    routing: consistentHash
    notify:
      - { on: [failure, recovered], webhook: { url: "https://hooks.example/cron", headers: { Authorization: "${secret.header}", X-Team: ops } } }
      - { on: [success], email: { to: [ops@example.com] } }
      - { on: [timeout], webhook: { url: "https://hooks.example/plain" } }
    triggers: { onFailure: [${n.c}], onComplete: [{ job: ${n.b}, params: { LEVEL: deep } }] }
    historyLimit: 50
    historyDays: 7
  - name: ${n.b}
    schedule: { type: daily, schedule: "02:00" }
    enabled: false
    runner: http
    spec: { method: POST, url: "https://example.com/hook", headers: { X-A: "1" }, body: "{}" }
    params: [{ name: LEVEL, enum: [quick, deep], default: quick }]
    historyLimit: 0
  - name: ${n.c}
    schedule: "@every 90s"
    runner: command
    spec: { command: echo, args: [chained] }
    triggers: { onSuccess: [${n.b}] }
workflows:
  - name: ${n.wf}
    description: extract then load each region
    schedule: "30 2 * * *"
    timezone: America/New_York
    enabled: false
    steps:
      - id: extract
        runner: command
        spec: { command: echo, args: [extract] }
        retry: { maxRetries: 1, backoff: fixed, delaySeconds: 3 }
        timeoutSeconds: 60
      - id: load
        dependsOn: [extract]
        group: { forEach: [eu, us], runner: command, spec: { command: echo } }
        succeedWhen: { atLeast: 1 }
        maxParallel: 1
        workerSelector: { labels: { zone: eu } }
        env: { TARGET: prod }
`;

  before(async () => {
    [source, target] = await Promise.all([startServer({ backend: BACKEND, env: SMTP }), startServer({ backend: BACKEND, env: SMTP })]);
  });
  after(async () => {
    await worker?.stop();
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  let exported = '';

  it('exports every job and workflow by name, secrets as ${keep}, a paused job paused', async () => {
    const applied = await expectExit(source, 0, ['apply', '-f', file('source.yaml', definitions)]);
    assert.match(applied.stdout, new RegExp(`cron job '${n.c}' \\(id \\d+\\) created\\n(.|\\n)*cron job '${n.a}' \\(id \\d+\\) created`), 'a triggered job is created before the job that triggers it');
    assert.match(applied.stdout, new RegExp(`workflow '${n.wf}' \\(id \\d+\\) created`));
    await expectExit(source, 0, ['export', '-f', file('source-export.yaml')]);
    exported = readFileSync(file('source-export.yaml'), 'utf8');
    const stdout = await expectExit(source, 0, ['export']);
    assert.equal(stdout.stdout, exported, '--file writes what standard output gets');
    assert.match(exported, /^# Cronfleet export/);
    assert.ok(exported.indexOf(`name: ${n.a}`) < exported.indexOf(`name: ${n.b}`) && exported.indexOf(`name: ${n.b}`) < exported.indexOf(`name: ${n.c}`), 'jobs by name');
    assert.match(exported, /secretEnv:\n\s+API_TOKEN: \$\{keep\}/);
    assert.match(exported, new RegExp(`triggers:\\n\\s+onFailure:\\n\\s+- ${n.c}\\n\\s+onComplete:\\n\\s+- job: ${n.b}\\n\\s+params:\\n\\s+LEVEL: deep\\n`), 'both forms of a trigger entry, as given');
    // Every object's keys in the order `cronjobs get` shows them, the spec's first.
    const got = (await expectExit(source, 0, ['cronjobs', 'get', n.a, '-o', 'yaml'])).stdout;
    // [key, value] pairs at every depth: deepEqual then compares the order of the keys too.
    const inOrder = (v: unknown): unknown => (Array.isArray(v) ? v.map(inOrder) : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => [k, inOrder(x)]) : v);
    const mine = (parse(exported) as { jobs: { name: string; spec: unknown; retry: unknown }[] }).jobs.find((j) => j.name === n.a);
    const shown = parse(got) as { spec: unknown; retry: unknown };
    assert.deepEqual(inOrder(mine?.spec), inOrder(shown.spec), 'the spec as `cronjobs get` prints it');
    assert.deepEqual(inOrder(mine?.retry), inOrder(shown.retry), 'the retry policy as `cronjobs get` prints it');
    assert.match(exported, /spec:\n\s+command: sh\n\s+args:\n/);
    assert.match(exported, /headers:\n\s+Authorization: \$\{keep\}\n\s+X-Team: \$\{keep\}/);
    assert.match(exported, new RegExp(`name: ${n.b}\\n\\s+schedule: 0 2 \\* \\* \\*\\n\\s+timezone: UTC\\n\\s+enabled: false`));
    assert.ok(!exported.includes(secret.token) && !exported.includes(secret.header.split(' ')[1]), 'no secret value in the export');
    assert.doesNotMatch(exported, /\bid: \d|nextRunAt|createdAt|updatedAt|version:|secretEnvKeys|headerNames/, 'no read-only field');
  });

  it('applied to the server it came from, changes nothing', async () => {
    const r = await expectExit(source, 0, ['apply', '-f', file('source-export.yaml')]);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    for (const l of lines) assert.match(l, / unchanged$/);
    const json = JSON.parse((await expectExit(source, 0, ['apply', '-f', file('source-export.yaml'), '-o', 'json'])).stdout);
    assert.deepEqual([...json.jobs, ...json.workflows].map((x: { result: string }) => x.result), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('refuses ${keep} on a server without the job, naming the job and the variable, and changes nothing', async () => {
    const r = await expectExit(target, 1, ['apply', '-f', file('source-export.yaml')]);
    assert.match(r.stderr, new RegExp(`job '${n.a}' \\(#\\d\\): secretEnv\\.API_TOKEN: '\\$\\{keep\\}' keeps the value the server holds, but there is no job '${n.a}' on the server`));
    assert.deepEqual((await target.api.listCronJobs()).items, []);
    assert.deepEqual((await target.api.call<{ items: unknown[] }>('GET', '/workflows', [200])).items, []);
  });

  it('takes the secrets from ${env:NAME} on a new server, and exports the same bytes from it', async () => {
    const withRefs = exported.replace('API_TOKEN: ${keep}', 'API_TOKEN: ${env:EXP_API_TOKEN}').replace('Authorization: ${keep}', 'Authorization: ${env:EXP_HOOK_AUTH}').replace('X-Team: ${keep}', 'X-Team: ops');
    file('restore.yaml', withRefs);
    const unset = await expectExit(target, 1, ['apply', '-f', file('restore.yaml')]);
    assert.match(unset.stderr, new RegExp(`job '${n.a}' \\(#1\\): secretEnv\\.API_TOKEN: '\\$\\{env:EXP_API_TOKEN\\}' names the environment variable EXP_API_TOKEN, which is not set`));
    const secrets = { EXP_API_TOKEN: secret.token, EXP_HOOK_AUTH: secret.header };
    const r = await expectExit(target, 0, ['apply', '-f', file('restore.yaml')], secrets);
    assert.equal(r.stdout.trim().split('\n').filter((l) => / created$/.test(l)).length, 4, r.stdout);

    const again = (await expectExit(target, 0, ['export'])).stdout;
    assert.equal(again, exported, 'the export of the restored server is the same bytes');
    const asJson = await Promise.all([expectExit(source, 0, ['export', '-o', 'json']), expectExit(target, 0, ['export', '-o', 'json'])]);
    assert.equal(asJson[0].stdout, asJson[1].stdout, 'and so is the JSON export');
    const reapplied = await expectExit(target, 0, ['apply', '-f', file('source-export.yaml')]);
    for (const l of reapplied.stdout.trim().split('\n')) assert.match(l, / unchanged$/);
    const jobB = (await target.api.listCronJobs()).items.find((j) => j.name === n.b);
    assert.equal(jobB?.enabled, false, 'the paused job is paused on the new server');
  });

  it('restores the secret value itself: the task on the new server sees it', async () => {
    worker = startWorker(target, workerName, { labels: { zone: 'eu' } });
    await waitForWorkerOnline(target.api, { name: workerName });
    const job = (await target.api.listCronJobs()).items.find((j) => j.name === n.a);
    assert.ok(job);
    const { taskId } = await target.api.runCronJob(job.id);
    const task = await waitForTaskEnd(target.api, taskId, { timeoutMs: 30_000, details: () => worker?.report() ?? '' });
    assert.equal(task.status, 'success', 'API_TOKEN in the task has the value applied from EXP_API_TOKEN');
  });

  it('exports only what is asked: --jobs-only, --workflows-only, name patterns', async () => {
    const jobsOnly = (await expectExit(source, 0, ['export', '--jobs-only', '-o', 'json'])).stdout;
    assert.deepEqual(Object.keys(JSON.parse(jobsOnly)), ['jobs']);
    const flows = JSON.parse((await expectExit(source, 0, ['export', '--workflows-only', '-o', 'json'])).stdout);
    assert.deepEqual(Object.keys(flows), ['workflows']);
    assert.deepEqual(flows.workflows[0].steps.map((s: { id: string }) => s.id), ['extract', 'load']);
    const some = JSON.parse((await expectExit(source, 0, ['export', `exp-${sfx}-[bc]`, `exp-${sfx}-c*`, '-o', 'json'])).stdout);
    assert.deepEqual(some.jobs.map((j: { name: string }) => j.name), [n.c], '* is the only wildcard');
    await expectExit(source, 2, ['export', '--jobs-only', '--workflows-only']);
  });

  it('never prints a secret value', () => {
    for (const out of outputs) {
      assert.ok(!out.includes(secret.token), 'the secret variable value was printed');
      assert.ok(!out.includes(secret.header.split(' ')[1]), 'the webhook header value was printed');
    }
  });
});
