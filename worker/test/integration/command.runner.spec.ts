import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import type { CommandSpec } from '@cronfleet/shared';
import { capture, groupGone, groupMembers, taskRun } from '../../src/test-support/runner-harness';
import { CommandRunner } from '../../src/runners/command.runner';
import { nativeSpawner, nodeSpawner } from '../../src/runners/spawner';
import type { TaskRunFor } from '../../src/runners/runner';

function task(spec: Partial<CommandSpec> & { command: string }, timeoutSeconds: number | null = null): TaskRunFor<'command'> {
  return taskRun('command', { args: [], env: {}, shell: false, ...spec }, { timeoutSeconds });
}

// Every case once per spawner: posix_spawn (the addon, what a worker uses where it is built) and
// node:child_process (the fallback, and what --run-as tasks use).
for (const spawner of [nativeSpawner(), nodeSpawner]) describe(`CommandRunner (${spawner.name} spawner)`, () => {
  const runner = new CommandRunner({ timeoutGraceMs: 300, spawner });
  const leaders: number[] = [];

  afterEach(async () => {
    for (const pgid of leaders.splice(0)) {
      const left = await groupGone(pgid);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      assert.deepEqual(left, [], `processes of group ${pgid} outlived the test`);
    }
  });

  /** Runs a shell script whose first line of output is its pid (= its process group id). */
  async function startShell(script: string, io = capture(), timeoutSeconds: number | null = null) {
    const running = runner.start(task({ command: 'sh', args: ['-c', `echo $$; ${script}`] }, timeoutSeconds), io);
    const pgid = Number((await io.waitFor(/^(\d+)\n/))[1]);
    leaders.push(pgid);
    return { running, pgid, io };
  }

  it("executes the program the allow-list resolved, whatever the task's PATH finds under that name", async () => {
    const io = capture();
    // The task's PATH would find /bin/sh's `sh`; the resolved program is echo, run with argv[0] 'sh'.
    const t = taskRun('command', { command: 'sh', args: ['-c', 'echo shell ran'], env: { PATH: '/usr/bin:/bin' }, shell: false });
    const result = await runner.start(t, io, { requested: 'sh', name: 'sh', path: realpathSync('/bin/echo') }).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0, signal: null });
    assert.equal(io.text(), '-c echo shell ran\n');
  });

  it('captures what echo prints and reports success with exit code 0', async () => {
    const io = capture();
    const result = await runner.start(task({ command: 'echo', args: ['hello', 'world'] }), io).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0, signal: null });
    assert.equal(io.text(), 'hello world\n');
  });

  it('reports failed with the exit code when the command exits non-zero', async () => {
    const result = await runner.start(task({ command: 'sh', args: ['-c', 'exit 3'] }), capture()).done;
    assert.deepEqual(result, { status: 'failed', exitCode: 3, signal: null });
  });

  it('reports CommandNotFound when the command does not exist', async () => {
    const result = await runner.start(task({ command: 'cronfleet-no-such-command' }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.error, {
      code: 'CommandNotFound',
      message: 'ENOENT: command not found: cronfleet-no-such-command',
      retryable: false,
    });
  });

  it('reports InvalidCwd when the working directory does not exist', async () => {
    const result = await runner.start(task({ command: 'pwd', cwd: '/nonexistent/cronfleet' }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'InvalidCwd');
  });

  it('merges stdout and stderr in the order they were written', async () => {
    const io = capture();
    const script = 'echo out1; sleep 0.25; echo err1 >&2; sleep 0.25; echo out2';
    const result = await runner.start(task({ command: 'sh', args: ['-c', script] }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(io.text(), 'out1\nerr1\nout2\n');
  });

  it('keeps a multi-byte character intact when its bytes arrive in two reads', async () => {
    const io = capture();
    await runner.start(task({ command: 'sh', args: ['-c', "printf '\\303'; sleep 0.2; printf '\\251\\n'"] }), io).done;
    assert.equal(io.text(), 'é\n');
  });

  it('runs the command without a shell by default: $HOME reaches echo as it is', async () => {
    const io = capture();
    const result = await runner.start(task({ command: 'echo', args: ['$HOME', '*'] }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(io.text(), '$HOME *\n');
  });

  it('does not split a command line without shell: true: the whole line is the program name', async () => {
    const result = await runner.start(task({ command: 'echo $HOME' }), capture()).done;
    assert.deepEqual(result.error, { code: 'CommandNotFound', message: 'ENOENT: command not found: echo $HOME', retryable: false });
  });

  it('runs the command line through /bin/sh -c with shell: true, args as $1, $2, …', async () => {
    const io = capture();
    const spec = { command: 'echo $HOME; printf "%s|" "$@"; echo "$#"', args: ['a b', '$HOME'], env: { HOME: '/home/cronfleet-test' }, shell: true };
    const result = await runner.start(task(spec), io).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0, signal: null });
    assert.equal(io.text(), '/home/cronfleet-test\na b|$HOME|2\n');
  });

  it('reports the exit code of a shell: true command line, as of any command', async () => {
    const io = capture();
    const result = await runner.start(task({ command: 'cronfleet-no-such-command', shell: true }), io).done;
    assert.deepEqual(result, { status: 'failed', exitCode: 127, signal: null });
    assert.match(io.text(), /cronfleet-no-such-command: .*not found/);
  });

  it('layers the environment: worker, job env, spec env, secrets, then CRONFLEET_*; the worker\'s own CRONFLEET_* stay out', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { CF_TEST_A: 'worker', CF_TEST_B: 'worker', CF_TEST_WORKER_ONLY: 'worker', CRONFLEET_WORKER_TOKEN: 'worker-token', CRONFLEET_SECRET_KEY: 'server-key' });
    try {
      const io = capture();
      const script = 'echo "$CF_TEST_WORKER_ONLY $CF_TEST_A $CF_TEST_B $CF_TEST_C $CF_TEST_D $CRONFLEET_TASK_ID [$CRONFLEET_WORKER_TOKEN$CRONFLEET_SECRET_KEY]"';
      const t = taskRun(
        'command',
        { command: 'sh', args: ['-c', script], env: { CF_TEST_B: 'spec', CF_TEST_C: 'spec', CF_TEST_D: 'spec' }, shell: false },
        { env: { CF_TEST_A: 'job', CF_TEST_B: 'job', CF_TEST_C: 'job', CRONFLEET_TASK_ID: 'job' }, secretEnv: { CF_TEST_D: 'secret' } },
      );
      // The runner reads the worker's environment once, when it is made.
      await new CommandRunner({ spawner }).start(t, io).done;
      assert.equal(io.text(), 'worker job spec spec secret 42 []\n');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('gives the task its CRONFLEET_* variables and the spec env on top of the worker environment', async () => {
    const io = capture();
    const script = 'echo "$CRONFLEET_TASK_ID|$CRONFLEET_CRONJOB|$CRONFLEET_SCHEDULED_AT|$CRONFLEET_ATTEMPT|$GREETING|${PATH:+path}"';
    await runner.start(task({ command: 'sh', args: ['-c', script], env: { GREETING: 'hi there' } }), io).done;
    assert.equal(io.text(), '42|nightly-backup|2030-01-02T03:04:05.000Z|2|hi there|path\n');
  });

  it('kills the whole process group, children included, and reports killed', async () => {
    // Both sleeps are forked (and so in the group) before `forked` is printed.
    const { running, pgid, io } = await startShell('sleep 30 & sleep 30 & echo forked; wait');
    await io.waitFor(/forked/);
    assert.ok(groupMembers(pgid).length >= 3, 'the shell and its sleeps run in their own group');
    running.kill();
    const result = await running.done;
    assert.equal(result.status, 'killed');
    assert.equal(result.signal, 'SIGKILL');
    assert.deepEqual(await groupGone(pgid), []);
  });

  it('stops a task that runs past timeoutSeconds and reports timeout, its error naming the limit', async () => {
    const started = Date.now();
    const { running } = await startShell('sleep 30', capture(), 1);
    const result = await running.done;
    assert.equal(result.status, 'timeout');
    assert.equal(result.signal, 'SIGTERM');
    assert.deepEqual(result.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
    assert.ok(Date.now() - started < 4000, 'ended soon after the 1 s timeout');
  });

  it('sends SIGKILL after the grace when the task ignores SIGTERM', async () => {
    const { running, io } = await startShell('trap "" TERM; echo trapped; sleep 30');
    await io.waitFor(/trapped/);
    running.stop(300);
    const result = await running.done;
    assert.equal(result.status, 'killed');
    assert.equal(result.signal, 'SIGKILL');
  });

  it('ends a task on SIGTERM alone when it does not trap it, whatever the grace', async () => {
    const { running, pgid } = await startShell('sleep 30');
    running.stop(60_000);
    const result = await running.done;
    assert.deepEqual(result, { status: 'killed', exitCode: null, signal: 'SIGTERM' });
    assert.deepEqual(await groupGone(pgid), []);
  });

  it('brings the SIGKILL closer when a second stop has a shorter grace', async () => {
    const { running, io } = await startShell('trap "" TERM; echo trapped; sleep 30');
    await io.waitFor(/trapped/);
    running.stop(60_000);
    running.stop(0);
    const result = await running.done;
    assert.equal(result.status, 'killed');
    assert.equal(result.signal, 'SIGKILL');
  });

  it('knows the pid of the task process', async () => {
    const { running, pgid } = await startShell('sleep 30');
    assert.equal(running.pid, pgid);
    running.kill();
    await running.done;
  });

  it('leaves no process of the group behind when the main process exits by itself', async () => {
    const started = Date.now();
    const { running, pgid } = await startShell('sleep 30 & echo done');
    const result = await running.done;
    assert.equal(result.status, 'success');
    assert.ok(Date.now() - started < 5000, 'did not wait for the orphaned sleep');
    assert.deepEqual(await groupGone(pgid), []);
  });
});
