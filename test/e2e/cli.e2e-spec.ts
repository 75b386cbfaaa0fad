// The admin CLI end to end: the real `cronfleet` binary (cli/bin/cronfleet.js) run as a child
// process against a real server on the embedded backend with a real worker, configured only through
// CRONFLEET_SERVER and CRONFLEET_ADMIN_TOKEN. Checks what scripts rely on: the output (tables for
// people, the API's JSON with -o json) and the exit codes (0 ok, 1 refused, 2 usage or configuration,
// 3 not found, 4 server unreachable).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLI_BIN,
  FINAL_TASK_STATUSES,
  RUN_ID,
  assertNoLeakedProcesses,
  childEnv,
  freePort,
  randomId,
  repoRoot,
  startServer,
  startWorker,
  waitFor,
  type CronJob,
  type Task,
  type TestProcess,
  type TestServer,
  type WorkerInfo, waitForWorkerOnline } from './helpers';

const BIN = CLI_BIN;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI process still running, whose stdout can be watched while it runs. */
interface RunningCli {
  stdout(): string;
  done: Promise<CliRun>;
  kill(): void;
}

function startCli(args: readonly string[], env: Record<string, string>, input?: string): RunningCli {
  let out = '';
  let err = '';
  let child: ReturnType<typeof execFile>;
  const done = new Promise<CliRun>((resolve) => {
    child = execFile(process.execPath, [BIN, ...args], { cwd: repoRoot, env: childEnv(env), timeout: 60_000 }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdout?.on('data', (c: Buffer | string) => (out += String(c)));
    child.stderr?.on('data', (c: Buffer | string) => (err += String(c)));
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
  return { stdout: () => out + (err ? `\n[stderr] ${err}` : ''), done, kill: () => child.kill('SIGKILL') };
}

describe('admin CLI', { timeout: 240_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const workerName = `e2e-cli-${randomId()}`;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const env = (): Record<string, string> => ({ CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: server.adminToken });
  const cli = (...args: string[]): Promise<CliRun> => startCli(args, env()).done;
  const cliIn = (input: string, ...args: string[]): Promise<CliRun> => startCli(args, env(), input).done;
  /** Runs the CLI and fails with everything it printed unless it exits with `code`. */
  const expectExit = async (code: number, args: string[], input?: string): Promise<CliRun> => {
    const r = await startCli(args, env(), input).done;
    assert.equal(r.code, code, `cronfleet ${args.join(' ')} exited ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  const jobNamed = async (name: string): Promise<CronJob | undefined> => (await server.api.listCronJobs()).items.find((j) => j.name === name);
  const waitForStatus = (id: number, ok: (t: Task) => boolean, what: string): Promise<Task> =>
    waitFor(
      async () => {
        const t = await server.api.getTask(id);
        return ok(t) && t;
      },
      { timeoutMs: 30_000, what: `task ${id} ${what}`, details: logs },
    );

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, workerName);
    await waitForWorkerOnline(server.api, { name: workerName, details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  const suffix = randomId();
  const names = { a: `cli-a-${suffix}`, b: `cli-b-${suffix}` };
  const twoJobs = (scheduleA: string) => `jobs:
  - name: ${names.a}
    schedule: "${scheduleA}"
    runner: command
    spec: { command: echo, args: [hello] }
  - name: ${names.b}
    schedule: { type: daily, schedule: "02:00" }
    timezone: Europe/Berlin
    runner: command
    spec:
      command: sh
      args: ["-c", "echo backing up"]
    retry: { maxRetries: 2 }
`;

  it('applies a YAML file of two jobs: created, then unchanged, then updated after an edit', async () => {
    const file = join(server.dataDir, 'jobs.yaml');
    writeFileSync(file, twoJobs('*/5 * * * *'));
    const first = await expectExit(0, ['cronjobs', 'apply', '-f', file]);
    assert.match(first.stdout, new RegExp(`cron job '${names.a}' \\(id \\d+\\) created`));
    assert.match(first.stdout, new RegExp(`cron job '${names.b}' \\(id \\d+\\) created`));
    const b = await jobNamed(names.b);
    assert.equal(b?.schedule, '0 2 * * *');
    assert.equal(b?.timezone, 'Europe/Berlin');

    const again = await expectExit(0, ['cronjobs', 'apply', '-f', file]);
    assert.match(again.stdout, new RegExp(`cron job '${names.a}' \\(id \\d+\\) unchanged`));
    assert.match(again.stdout, new RegExp(`cron job '${names.b}' \\(id \\d+\\) unchanged`));

    writeFileSync(file, twoJobs('*/10 * * * *'));
    const edited = await expectExit(0, ['cronjobs', 'apply', '-f', file, '-o', 'json']);
    const report = JSON.parse(edited.stdout) as { dryRun: boolean; items: { name: string; result: string; changed: string[] }[] };
    assert.deepEqual(
      report.items.map((i) => [i.name, i.result, i.changed]),
      [
        [names.a, 'updated', ['schedule']],
        [names.b, 'unchanged', []],
      ],
    );
    assert.equal((await jobNamed(names.a))?.schedule, '*/10 * * * *');
  });

  it('keeps a version of each apply, lists them with `cronjobs versions` and rolls back with `cronjobs rollback`', async () => {
    const name = `cli-versions-${suffix}`;
    const file = join(server.dataDir, 'versioned.yaml');
    const yaml = (schedule: string) => `name: ${name}\nschedule: "${schedule}"\nrunner: command\nspec: { command: echo, args: [v] }\nsecretEnv: { TOKEN: cli-secret-${suffix} }\n`;
    writeFileSync(file, yaml('@hourly'));
    await expectExit(0, ['cronjobs', 'apply', '-f', file]);
    writeFileSync(file, yaml('@daily'));
    await expectExit(0, ['cronjobs', 'apply', '-f', file]);

    const table = await expectExit(0, ['cronjobs', 'versions', name]);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^VERSION +KIND +WHEN +BY +CHANGES$/);
    assert.match(lines[1], /^2 +updated +\S+( ago)? +admin \(admin\) +schedule/, 'apply changed the schedule (the same secret sent again is no change)');
    assert.match(lines[2], /^1 +created +/);
    const json = JSON.parse((await expectExit(0, ['cronjobs', 'versions', name, '-o', 'json'])).stdout) as { items: { version: number; changes: { field: string; before: unknown; after: unknown }[] }[] };
    assert.deepEqual(json.items[0].changes, [{ field: 'schedule', before: '@hourly', after: '@daily' }]);
    const one = await expectExit(0, ['cronjobs', 'versions', name, '1']);
    assert.match(one.stdout, /^Kind: +created$/m);
    assert.match(one.stdout, /^ {2}schedule: "@hourly"$/m);

    const rolled = await expectExit(0, ['cronjobs', 'rollback', name, '1']);
    assert.match(rolled.stdout, new RegExp(`cron job '${name}' \\(id \\d+\\) rolled back to version 1, as version 3`));
    assert.match(rolled.stdout, /schedule: "@daily" → "@hourly"/);
    assert.equal((await jobNamed(name))?.schedule, '@hourly');
    assert.match((await expectExit(0, ['cronjobs', 'rollback', name, '1'])).stdout, /already has the definition of version 1: nothing changed/);
    assert.match((await expectExit(3, ['cronjobs', 'rollback', name, '9'])).stderr, /has no version 9/);
    await expectExit(2, ['cronjobs', 'versions', name, 'latest']);
    const all = (await expectExit(0, ['cronjobs', 'versions', name, '-o', 'yaml'])).stdout + one.stdout + rolled.stdout;
    assert.ok(!all.includes(`cli-secret-${suffix}`), 'no secret value in what the CLI prints');
  });

  it('shows the versions of a deleted job by the name it had, the one deleted last when there were several', async () => {
    const name = `cli-gone-${suffix}`;
    const job = (schedule: string) => `name: ${name}\nschedule: "${schedule}"\nrunner: command\nspec: { command: "true" }\n`;
    await expectExit(0, ['cronjobs', 'apply', '-f', '-'], job('@hourly'));
    await expectExit(0, ['cronjobs', 'apply', '-f', '-'], job('@daily'));
    const first = await jobNamed(name);
    await expectExit(0, ['cronjobs', 'rm', name, '--yes']);

    const table = await expectExit(0, ['cronjobs', 'versions', name]);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^VERSION +KIND +WHEN +BY +CHANGES$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/ +/).slice(0, 2)), [['3', 'deleted'], ['2', 'updated'], ['1', 'created']]);
    assert.match(table.stderr, new RegExp(`^cronfleet: cron job '${name}' was deleted: its versions are those of id ${first?.id}, deleted \\d{4}-`, 'm'));
    const one = await expectExit(0, ['cronjobs', 'versions', name, '1']);
    assert.match(one.stdout, new RegExp(`^Cron job: +${name} \\(id ${first?.id}\\)$`, 'm'));
    assert.match(one.stdout, /^ {2}schedule: "@hourly"$/m);

    // Made and deleted again under the same name: the one deleted last, the other named.
    await expectExit(0, ['cronjobs', 'apply', '-f', '-'], job('@weekly'));
    const second = await jobNamed(name);
    await expectExit(0, ['cronjobs', 'rm', name, '-y']);
    const json = await expectExit(0, ['cronjobs', 'versions', name, '-o', 'json']);
    assert.deepEqual((JSON.parse(json.stdout) as { items: { cronjobId: number; kind: string }[] }).items.map((v) => [v.cronjobId, v.kind]), [[second?.id, 'deleted'], [second?.id, 'created']]);
    assert.match(json.stderr, new RegExp(`other cron jobs named '${name}' were deleted before it: id ${first?.id}, deleted .*\\(give the id to see one of them\\)`));
    assert.equal((await expectExit(0, ['cronjobs', 'versions', String(first?.id), '-o', 'json'])).stdout.includes('"kind": "updated"'), true, 'the other by its id');
    assert.match((await expectExit(3, ['cronjobs', 'versions', `never-${suffix}`])).stderr, new RegExp(`cron job 'never-${suffix}' not found \\(no job has this name, nor had a deleted one\\)`));
  });

  it('reads a job file from standard input with -f -', async () => {
    const name = `cli-stdin-${suffix}`;
    const json = JSON.stringify({ name, schedule: '@every 1h', enabled: false, runner: 'command', spec: { command: 'true' } });
    const r = await expectExit(0, ['cronjobs', 'apply', '-f', '-'], json);
    assert.match(r.stdout, new RegExp(`cron job '${name}' \\(id \\d+\\) created`));
    assert.equal((await jobNamed(name))?.enabled, false);
  });

  it('lists cron jobs as an aligned table, and as the API\'s JSON with -o json', async () => {
    const table = await expectExit(0, ['cronjobs', 'ls']);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID +NAMESPACE +NAME +SCHEDULE +TIMEZONE +RUNNER +STATE +NEXT RUN$/);
    const row = lines.find((l) => l.includes(names.b));
    assert.ok(row, table.stdout);
    assert.match(row, new RegExp(`^\\d+ +default +${names.b} +0 2 \\* \\* \\* +Europe/Berlin +command +active +in \\d`));
    // Aligned: every row's NAME column starts where the header's does.
    const nameCol = lines[0].indexOf('NAME');
    for (const l of lines.slice(1)) assert.notEqual(l[nameCol], ' ', `misaligned row: ${l}`);

    const json = await expectExit(0, ['cronjobs', 'ls', '-o', 'json']);
    assert.deepEqual(JSON.parse(json.stdout), await server.api.listCronJobs());
  });

  it('runs a job by name, prints the task id, and follows its output live until it succeeds (exit 0)', async () => {
    const release = join(server.dataDir, `release-${randomId()}`);
    const name = `cli-live-${suffix}`;
    await server.api.createCronJob({
      name,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      // It prints `first`, then waits for the test to have seen `first` through the CLI: so the CLI
      // must show output while the task still runs, whatever the timing.
      spec: { command: 'sh', args: ['-c', 'echo first; while [ ! -e "$1" ]; do sleep 0.1; done; echo second', 'sh', release, RUN_ID] },
    });
    const run = await expectExit(0, ['cronjobs', 'run', name, '-o', 'json']);
    const { taskId } = JSON.parse(run.stdout) as { taskId: number };
    assert.ok(Number.isInteger(taskId) && taskId > 0, run.stdout);

    const follow = startCli(['tasks', 'logs', String(taskId), '-f'], env());
    try {
      await waitFor(() => follow.stdout().includes('first\n'), { timeoutMs: 30_000, what: 'the CLI to print the first line', details: () => `${follow.stdout()}\n${logs()}` });
      writeFileSync(release, '');
      const r = await follow.done;
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.stdout, 'first\nsecond\n');
    } finally {
      follow.kill();
    }
    const human = await expectExit(0, ['cronjobs', 'run', name]);
    assert.match(human.stdout, /^task \d+ queued for cron job/);
    writeFileSync(release, '');
    await waitForStatus(Number(/^task (\d+)/.exec(human.stdout)?.[1]), (t) => FINAL_TASK_STATUSES.includes(t.status), 'to finish');
  });

  it('follows a failing task to its end and exits 1', async () => {
    const job = await server.api.createCronJob({ name: `cli-fail-${suffix}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', 'echo oops; exit 3'] } });
    const r = await expectExit(1, ['cronjobs', 'run', String(job.id), '--follow']);
    assert.equal(r.stdout, 'oops\n');
    assert.match(r.stderr, /ended failed/);
  });

  it('follows a run through its retries to the last attempt: each attempt\'s output, which attempt it is, the last exit code; exit 0 when the last succeeds', async () => {
    const counter = join(server.dataDir, `attempts-${randomId()}`);
    const retry = { maxRetries: 2, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 1, jitter: false };
    // Fails twice (exit 1), then succeeds: three attempts, three tasks.
    const flaky = await server.api.createCronJob({
      name: `cli-flaky-${suffix}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      retry,
      spec: { command: 'sh', args: ['-c', 'n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1"; echo "try $n"; [ "$n" -ge 3 ]', 'sh', counter, RUN_ID] },
    });
    const r = await expectExit(0, ['cronjobs', 'run', flaky.name, '-f']);
    assert.equal(r.stdout, 'try 1\ntry 2\ntry 3\n', 'the output of every attempt, in order');
    const ids = (await server.api.listTasks({ cronjobId: flaky.id })).items.map((t) => t.id).sort((a, b) => a - b);
    assert.equal(ids.length, 3, r.stderr);
    const [t1, t2, t3] = ids;
    assert.equal(
      r.stderr,
      [
        `cronfleet: task ${t1} queued for cron job '${flaky.name}' (attempt 1 of 3: up to 2 retries follow a failure)`,
        `cronfleet: task ${t1} (attempt 1 of 3) ended failed, exit code 1: retrying in 1 s`,
        `cronfleet: attempt 2 of 3: task ${t2}`,
        `cronfleet: task ${t2} (attempt 2 of 3) ended failed, exit code 1: retrying in 1 s`,
        `cronfleet: attempt 3 of 3: task ${t3}`,
        `cronfleet: task ${t3} (attempt 3 of 3) ended success, exit code 0`,
        '',
      ].join('\n'),
    );
    assert.deepEqual((await Promise.all(ids.map((id) => server.api.getTask(id)))).map((t) => [t.attempt, t.status]), [[1, 'failed'], [2, 'failed'], [3, 'success']]);

    // Every attempt fails: exit 1 after the last, with its exit code.
    const doomed = await server.api.createCronJob({ name: `cli-doomed-${suffix}`, schedule: '@yearly', enabled: false, runner: 'command', retry: { ...retry, maxRetries: 1 }, spec: { command: 'sh', args: ['-c', 'echo nope; exit 4'] } });
    const bad = await expectExit(1, ['cronjobs', 'run', doomed.name, '--follow']);
    assert.equal(bad.stdout, 'nope\nnope\n');
    assert.match(bad.stderr, /\(attempt 1 of 2\) ended failed, exit code 4: retrying in 1 s\n/);
    assert.match(bad.stderr, /\(attempt 2 of 2\) ended failed, exit code 4\n$/);
  });

  it('kills a running task, refuses to kill it again (exit 1), and stops another with a grace', async () => {
    const job = await server.api.createCronJob({
      name: `cli-kill-${suffix}`,
      schedule: '@yearly',
      enabled: false,
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'echo started; sleep 300', 'sh', RUN_ID] },
    });
    const { taskId } = await server.api.runCronJob(job.id);
    await waitForStatus(taskId, (t) => t.status === 'running', 'to run');
    const running = await expectExit(0, ['tasks', 'ls', '--job', job.name, '--status', 'running']);
    assert.match(running.stdout, new RegExp(`^${taskId} +default +${job.name} +running +1 +manual +${workerName} `, 'm'));

    const kill = await expectExit(0, ['tasks', 'kill', String(taskId), '--yes']);
    assert.match(kill.stdout, new RegExp(`task ${taskId} killed; worker \\d+ confirmed`));
    assert.equal((await waitForStatus(taskId, (t) => FINAL_TASK_STATUSES.includes(t.status), 'to end')).status, 'killed');
    const again = await expectExit(1, ['tasks', 'kill', String(taskId), '--yes']);
    assert.match(again.stderr, /already finished.*409 TaskNotRunning/);

    const second = (await server.api.runCronJob(job.id)).taskId;
    await waitForStatus(second, (t) => t.status === 'running', 'to run');
    const stop = await expectExit(0, ['tasks', 'stop', String(second), '--grace', '1', '-o', 'json', '-y']);
    assert.deepEqual(JSON.parse(stop.stdout), { taskId: second, action: 'stop', workerId: (await server.api.getTask(second)).workerId, confirmed: true });
    assert.ok(FINAL_TASK_STATUSES.includes((await waitForStatus(second, (t) => FINAL_TASK_STATUSES.includes(t.status), 'to end')).status));
  });

  it('lists workers, and drains and undrains one by name', async () => {
    const ls = await expectExit(0, ['workers', 'ls']);
    // A worker started without --namespace serves every namespace: `*`; it enrolled at its first hello.
    assert.match(ls.stdout, new RegExp(`^\\d+ +\\* +${workerName} +online +enrolled +\\d+/4 `, 'm'));

    await expectExit(0, ['workers', 'drain', workerName]);
    const drained = JSON.parse((await expectExit(0, ['workers', 'ls', '-o', 'json'])).stdout) as { items: WorkerInfo[] };
    assert.equal(drained.items.find((w) => w.name === workerName)?.drained, true);
    assert.match((await expectExit(0, ['workers', 'ls'])).stdout, new RegExp(`${workerName} +online, drained `));

    const undrained = await expectExit(0, ['workers', 'undrain', workerName, '-o', 'json']);
    assert.equal((JSON.parse(undrained.stdout) as WorkerInfo).drained, false);
    const detail = (await expectExit(0, ['workers', 'get', workerName])).stdout;
    assert.match(detail, /^Status: +online$/m);
    assert.match(detail, /^Credential: +enrolled \d{4}-\d\d-\d\dT/m);
  });

  it('refuses every destructive command without --yes when standard input is not a terminal, naming --yes, and changes nothing (exit 2)', async () => {
    const job = await server.api.createCronJob({ name: `cli-keep-${suffix}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    const ns = `cli-keep-${suffix}`;
    await server.api.call('POST', '/namespaces', [201], { name: ns });
    const token = await server.api.createToken({ name: `cli-keep-${suffix}`, role: 'viewer' });
    const { taskId: pending } = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'command', spec: { command: 'true' }, delaySeconds: 3600 });
    const wf = await server.api.call<{ id: number; name: string }>('POST', '/workflows', [201], { name: `cli-keep-${suffix}`, steps: [{ id: 'a', runner: 'command', spec: { command: 'true' } }] });
    const run = await server.api.call<{ id: number }>('POST', `/workflows/${wf.id}/runs`, [201, 202], {});
    const commands: [string[], RegExp][] = [
      [['cronjobs', 'rm', job.name], new RegExp(`^cronfleet: delete cron job '${job.name}' \\(id ${job.id}\\) and its task history: not done: `)],
      [['namespaces', 'rm', ns], new RegExp(`delete namespace '${ns}': not done`)],
      [['tokens', 'revoke', String(token.id)], new RegExp(`revoke token ${token.id} 'cli-keep-${suffix}' \\(viewer\\): not done`)],
      [['tasks', 'cancel', String(pending)], new RegExp(`cancel task ${pending}: not done`)],
      [['tasks', 'kill', String(pending)], new RegExp(`kill task ${pending} \\(one-shot\\) \\(pending\\): not done`)],
      [['tasks', 'stop', String(pending)], new RegExp(`stop task ${pending} `)],
      [['workers', 'revoke', workerName], new RegExp(`revoke the credential of worker '${workerName}'`)],
      [['workers', 'rm', workerName], new RegExp(`forget worker '${workerName}' \\(id \\d+, online\\): not done`)],
      [['workflows', 'rm', wf.name], new RegExp(`delete workflow '${wf.name}' \\(id ${wf.id}\\)`)],
      [['workflows', 'kill', String(run.id)], new RegExp(`kill workflow run ${run.id} of '${wf.name}'`)],
      [['workflows', 'stop', String(run.id)], new RegExp(`stop workflow run ${run.id} of '${wf.name}'`)],
    ];
    for (const [args, what] of commands) {
      const r = await expectExit(2, args);
      assert.match(r.stderr, what, args.join(' '));
      assert.match(r.stderr, /standard input is not a terminal; add --yes \(-y\) to do it without asking\n$/, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.ok(await jobNamed(job.name), 'the job is still there');
    await server.api.call('GET', `/namespaces/${ns}`, [200]);
    assert.match((await expectExit(0, ['tokens', 'ls'])).stdout, new RegExp(`^${token.id} +\\* +cli-keep-${suffix} +viewer +active `, 'm'));
    assert.equal((await server.api.getTask(pending)).status, 'pending');
    assert.equal((await server.api.listWorkers()).items.find((w) => w.name === workerName)?.status, 'online');
    await server.api.call('GET', `/workflows/${wf.id}`, [200]);
    // With --yes (or -y) it is done.
    assert.match((await expectExit(0, ['tasks', 'cancel', String(pending), '-y'])).stdout, new RegExp(`^task ${pending} cancelled$`, 'm'));
    assert.match((await expectExit(0, ['cronjobs', 'rm', job.name, '--yes'])).stdout, new RegExp(`cron job '${job.name}' \\(id ${job.id}\\) deleted`));
  });

  it('asks on a terminal: any answer but y leaves the job, y deletes it', async () => {
    const job = await server.api.createCronJob({ name: `cli-ask-${suffix}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    // script(1) gives the CLI a pseudo-terminal as standard input, fed with what the test types.
    const onTerminal = (typed: string): Promise<CliRun> =>
      new Promise((resolve) => {
        const line = [process.execPath, BIN, 'cronjobs', 'rm', job.name].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        const child = execFile('script', ['-qec', line, '/dev/null'], { cwd: repoRoot, env: childEnv(env()), timeout: 30_000 }, (e, stdout, stderr) => {
          resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
        });
        child.stdin?.end(typed);
      });
    const no = await onTerminal('n\n');
    assert.equal(no.code, 1, `${no.stdout}\n${no.stderr}`);
    // A terminal has one output: the question and the answer come through script's standard output.
    assert.match(no.stdout, new RegExp(`delete cron job '${job.name}' \\(id ${job.id}\\) and its task history\\? \\(its versions stay\\) \\[y/N\\]`));
    assert.match(no.stdout, /not confirmed: nothing was done/);
    assert.ok(await jobNamed(job.name), 'still there after n');
    const yes = await onTerminal('y\n');
    assert.equal(yes.code, 0, `${yes.stdout}\n${yes.stderr}`);
    assert.match(yes.stdout, new RegExp(`cron job '${job.name}' \\(id ${job.id}\\) deleted, with its task history`));
    assert.equal(await jobNamed(job.name), undefined, 'deleted after y');
  });

  it('forgets an offline worker with workers rm, and refuses one still online (409 WorkerStillConnected)', async () => {
    const name = `cli-rm-${suffix}`;
    const gone = startWorker(server, name);
    const w = await waitForWorkerOnline(server.api, { name, details: () => `${logs()}\n${gone.report()}` });
    const online = await expectExit(1, ['workers', 'rm', name, '--yes']);
    assert.match(online.stderr, new RegExp(`worker ${w.id} '${name}' is online; only an offline worker can be deleted .*\\(HTTP 409 WorkerStillConnected\\)`));
    await gone.stop();
    await waitFor(async () => (await server.api.listWorkers()).items.find((x) => x.name === name)?.status === 'offline', { timeoutMs: 20_000, what: `worker ${name} offline`, details: logs });
    const rm = await expectExit(0, ['workers', 'rm', name, '-y', '-o', 'json']);
    assert.deepEqual(JSON.parse(rm.stdout), { id: w.id, name, deleted: true });
    assert.equal((await server.api.listWorkers()).items.find((x) => x.name === name), undefined, 'no longer listed');
    assert.match((await expectExit(3, ['workers', 'rm', name, '--yes'])).stderr, new RegExp(`worker '${name}' not found`));
  });

  it('previews a schedule in a time zone, across the spring-forward gap', async () => {
    const args = ['preview', '30 2 * * *', '--tz', 'America/New_York', '--from', '2026-03-07T00:00:00Z', '--count', '3'];
    const json = await expectExit(0, [...args, '-o', 'json']);
    assert.deepEqual(JSON.parse(json.stdout), { next: ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'] });
    const table = await expectExit(0, args);
    assert.match(table.stdout, /Sat 2026-03-07 02:30:00 EST +2026-03-07T07:30:00\.000Z/);
    assert.match(table.stdout, /Sun 2026-03-08 03:00:00 EDT +2026-03-08T07:00:00\.000Z/);
  });

  it('refuses a job file with a bad field (exit 1), naming the job and the field, and changes nothing', async () => {
    const good = `cli-good-${suffix}`;
    const yaml = `- name: ${good}\n  schedule: "@every 1h"\n  runner: command\n  spec: { command: "true" }\n- name: cli-bad-${suffix}\n  schedule: "@every 1h"\n  runner: command\n  concurrencyPolicy: sometimes\n  spec: { command: "true" }\n`;
    const r = await expectExit(1, ['cronjobs', 'apply', '-f', '-'], yaml);
    assert.match(r.stderr, new RegExp(`job 'cli-bad-${suffix}' \\(#2\\): concurrencyPolicy: must be 'allow', 'forbid' or 'replace'`));
    assert.equal(await jobNamed(good), undefined, 'the valid job before the bad one was applied');

    const schedule = await expectExit(1, ['cronjobs', 'apply', '-f', '-'], `name: ${good}\nschedule: "61 * * * *"\nrunner: command\nspec: { command: "true" }\n`);
    assert.match(schedule.stderr, /schedule '61 \* \* \* \*': minute 61 is out of range 0-59/);
    const api = await expectExit(1, ['preview', '61 * * * *']);
    assert.match(api.stderr, /minute 61 is out of range 0-59 \(HTTP 400 InvalidSchedule\)/);
  });

  it('creates and lists a namespace, scopes a token to it, keeps a job of the same name apart in it with --namespace, and exports and applies it back there', async () => {
    const ns = `cli-ns-${suffix}`;
    const created = await expectExit(0, ['namespaces', 'create', ns, '--description', 'CLI e2e', '--max-jobs', '5']);
    assert.match(created.stdout, new RegExp(`^namespace '${ns}' created`));
    assert.match((await expectExit(2, ['namespaces', 'create', 'Not_A_Label'])).stderr, /namespace 'Not_A_Label' must be 1-63 lower-case letters/);

    // Cluster-wide, nothing sent: the job goes to default. With --namespace (or the variable), to ns.
    const name = `cli-ns-job-${suffix}`;
    const job = `name: ${name}\nschedule: "@daily"\nrunner: command\nspec: { command: "true" }\n`;
    assert.match((await expectExit(0, ['cronjobs', 'apply', '-f', '-'], job)).stdout, new RegExp(`^cron job '${name}' \\(id \\d+\\) created$`, 'm'));
    const inNs = await expectExit(0, ['cronjobs', 'apply', '-f', '-', '--namespace', ns], job);
    assert.match(inNs.stdout, new RegExp(`^cron job '${name}' in namespace '${ns}' \\(id \\d+\\) created$`, 'm'));
    const viaEnv = await startCli(['cronjobs', 'apply', '-f', '-'], { ...env(), CRONFLEET_NAMESPACE: ns }, job).done;
    assert.match(viaEnv.stdout, new RegExp(`^cron job '${name}' in namespace '${ns}' \\(id \\d+\\) unchanged$`, 'm'), viaEnv.stderr);
    const both = (await server.api.listCronJobs()).items.filter((j) => j.name === name) as (CronJob & { namespace: string })[];
    assert.deepEqual(both.map((j) => j.namespace).sort(), [ns, 'default'].sort());

    const lsNs = (await expectExit(0, ['cronjobs', 'ls', '--namespace', ns])).stdout.trimEnd().split('\n');
    assert.match(lsNs[0], /^ID +NAMESPACE +NAME /);
    assert.deepEqual(lsNs.slice(1).map((l) => l.split(/ +/).slice(1, 3)), [[ns, name]], 'only the job of the namespace');
    const namespaces = (await expectExit(0, ['namespaces', 'ls'])).stdout.trimEnd().split('\n');
    assert.match(namespaces[0], /^NAME +JOBS +RUNNING +MAX JOBS +MAX CONCURRENT +DESCRIPTION$/);
    assert.ok(namespaces.some((l) => new RegExp(`^${ns} +1 +0 +5 +- +CLI e2e$`).test(l)), namespaces.join('\n'));
    await expectExit(0, ['namespaces', 'set', ns, '--max-jobs', 'none', '--max-concurrent-tasks', '2']);
    assert.match((await expectExit(0, ['namespaces', 'show', ns])).stdout, /^Cron jobs: +1 \(no quota\)$[\s\S]*^Running tasks: +0 of 2$/m);

    // A viewer token scoped to ns sees the job there and not the one of the same name in default.
    const token = JSON.parse((await expectExit(0, ['tokens', 'create', '--name', `cli-ns-viewer-${suffix}`, '--role', 'viewer', '--namespace', ns, '-o', 'json'])).stdout) as { id: number; token: string; namespace: string | null };
    assert.equal(token.namespace, ns);
    const tokens = (await expectExit(0, ['tokens', 'ls'])).stdout;
    assert.match(tokens, new RegExp(`^${token.id} +${ns} +cli-ns-viewer-${suffix} +viewer +active `, 'm'));
    const scoped = { ...env(), CRONFLEET_ADMIN_TOKEN: token.token };
    const seen = await startCli(['cronjobs', 'ls', '-o', 'json'], scoped).done;
    assert.equal(seen.code, 0, seen.stderr);
    assert.deepEqual((JSON.parse(seen.stdout) as { items: { namespace: string }[] }).items.map((j) => j.namespace), [ns]);
    const got = await startCli(['cronjobs', 'get', name, '-o', 'json'], scoped).done;
    assert.equal((JSON.parse(got.stdout) as { namespace: string }).namespace, ns, got.stderr);

    // Export of ns: its job carries namespace:, and applying it puts the job back there, exactly.
    const exported = (await expectExit(0, ['export', '--namespace', ns, '--jobs-only'])).stdout;
    assert.match(exported, new RegExp(`^  - name: ${name}\\n    namespace: ${ns}\\n`, 'm'));
    const file = join(server.dataDir, `ns-${suffix}.yaml`);
    writeFileSync(file, exported);
    await expectExit(0, ['cronjobs', 'rm', name, '--namespace', ns, '--yes']);
    assert.match((await expectExit(0, ['apply', '-f', file])).stdout, new RegExp(`^cron job '${name}' in namespace '${ns}' \\(id \\d+\\) created$`, 'm'));
    assert.match((await expectExit(0, ['apply', '-f', file])).stdout, new RegExp(`^cron job '${name}' in namespace '${ns}' \\(id \\d+\\) unchanged$`, 'm'));
    assert.equal((await expectExit(0, ['export', '--namespace', ns, '--jobs-only'])).stdout, exported);
    const after = (await server.api.listCronJobs()).items.filter((j) => j.name === name) as (CronJob & { namespace: string })[];
    assert.deepEqual(after.map((j) => j.namespace).sort(), [ns, 'default'].sort(), 'the job of default untouched');

    assert.match((await expectExit(1, ['namespaces', 'rm', ns, '--yes'])).stderr, /NamespaceNotEmpty/);
  });

  it('refuses a second namespace of the same name (409 NamespaceExists) and leaves the first as it was', async () => {
    const ns = `cli-dup-${suffix}`;
    await expectExit(0, ['namespaces', 'create', ns, '--max-jobs', '3']);
    assert.match((await expectExit(1, ['namespaces', 'create', ns])).stderr, /HTTP 409 NamespaceExists/);
    assert.match((await expectExit(0, ['namespaces', 'show', ns])).stdout, /^Cron jobs: +0 of 3$/m);
  });

  it('exits 3 for an unknown job, task or worker', async () => {
    assert.match((await expectExit(3, ['cronjobs', 'get', `no-such-job-${suffix}`])).stderr, /cron job 'no-such-job-\w+' not found/);
    await expectExit(3, ['cronjobs', 'run', '999999']);
    await expectExit(3, ['tasks', 'get', '999999']);
    await expectExit(3, ['workers', 'drain', `no-such-worker-${suffix}`]);
  });

  it('exits 2 without a token or server, naming the flag and the variable, and on a bad flag', async () => {
    const noToken = await startCli(['cronjobs', 'ls'], { CRONFLEET_SERVER: server.url }).done;
    assert.equal(noToken.code, 2, noToken.stderr);
    assert.match(noToken.stderr, /--token.*CRONFLEET_ADMIN_TOKEN/);
    assert.doesNotMatch(noToken.stderr, /CRONFLEET_SERVER/);
    const nothing = await startCli(['tasks', 'ls'], {}).done;
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /--server.*CRONFLEET_SERVER.*--token.*CRONFLEET_ADMIN_TOKEN/);
    const wrongToken = await startCli(['cronjobs', 'ls'], { CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: `wrong-${randomId(8)}` }).done;
    assert.equal(wrongToken.code, 2);
    assert.match(wrongToken.stderr, /refused the admin token/);
    await expectExit(2, ['tasks', 'ls', '--limit', 'many']);
  });

  it('exits 4 when the server is unreachable', async () => {
    const port = await freePort();
    const r = await startCli(['cronjobs', 'ls'], { CRONFLEET_SERVER: `http://127.0.0.1:${port}`, CRONFLEET_ADMIN_TOKEN: server.adminToken }).done;
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot reach the server at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('leaves `cronfleet server` and `cronfleet worker` as they were', async () => {
    assert.match((await cli('server', '--help')).stdout, /--local-worker/);
    assert.match((await cli('worker', '--help')).stdout, /--capacity/);
    assert.equal((await cliIn('', '--help')).code, 0);
  });
});
