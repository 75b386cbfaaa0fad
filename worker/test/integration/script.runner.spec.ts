import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ScriptSpec } from '@cronfleet/shared';
import { TempDirs } from './gateway-stub';
import { capture, groupGone, taskRun } from '../../src/test-support/runner-harness';
import type { TaskRunFor } from '../../src/runners/runner';
import { ScriptRunner } from '../../src/runners/script.runner';
import { nativeSpawner, nodeSpawner } from '../../src/runners/spawner';

function task(spec: Partial<ScriptSpec> & Pick<ScriptSpec, 'interpreter' | 'content'>, timeoutSeconds: number | null = null): TaskRunFor<'script'> {
  return taskRun('script', { args: [], env: {}, ...spec }, { timeoutSeconds });
}

/** Whether `name` is on this machine's PATH: the interpreters are tested only where they exist. */
function installed(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

// Every case once per spawner: posix_spawn (the addon, what a worker uses where it is built) and
// node:child_process (the fallback, and what --run-as tasks use).
for (const spawner of [nativeSpawner(), nodeSpawner]) describe(`ScriptRunner (${spawner.name} spawner)`, () => {
  const runner = new ScriptRunner({ timeoutGraceMs: 300, spawner });
  const dirs = new TempDirs();
  const savedTmpdir = process.env.TMPDIR;
  let tmp = '';
  let cwd = '';
  const groups: number[] = [];

  // A private TMPDIR (os.tmpdir() reads it on every call): whatever a test leaves there is its own.
  before(() => {
    tmp = dirs.make('cronfleet-script-test-');
    cwd = dirs.make();
    process.env.TMPDIR = tmp;
  });
  after(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    dirs.removeAll();
  });
  afterEach(async () => {
    for (const pgid of groups.splice(0)) assert.deepEqual(await groupGone(pgid), [], `processes of group ${pgid} outlived the test`);
    assert.deepEqual(readdirSync(tmp), [], 'the script temp directory was removed');
  });

  const interpreters: Array<[ScriptSpec['interpreter'], string, string]> = [
    ['sh', 'echo "sh $1|$2"', 'sh a b|c\n'],
    ['bash', 'echo "${BASH_VERSION:+bash} $1|$2"', 'bash a b|c\n'],
    ['python3', 'import sys\nprint("python", "|".join(sys.argv[1:]))', 'python a b|c\n'],
    ['node', "console.log('node', process.argv.slice(2).join('|'))", 'node a b|c\n'],
  ];
  for (const [interpreter, content, expected] of interpreters) {
    it(`runs a ${interpreter} script with its args`, { skip: !installed(interpreter) && `${interpreter} is not installed here` }, async () => {
      const io = capture();
      const result = await runner.start(task({ interpreter, content, args: ['a b', 'c'] }), io).done;
      assert.deepEqual(result, { status: 'success', exitCode: 0, signal: null });
      assert.equal(io.text(), expected);
    });
  }

  it('writes the script to a file of mode 0700 in a fresh directory of mode 0700 under the temp dir', async () => {
    const io = capture();
    const content = 'stat -c %a "$0" "$(dirname "$0")"; echo "$0"';
    const result = await runner.start(task({ interpreter: 'sh', content }), io).done;
    assert.equal(result.status, 'success');
    const [fileMode, dirMode, file] = io.text().trimEnd().split('\n');
    assert.deepEqual([fileMode, dirMode], ['700', '700']);
    assert.equal(dirname(dirname(file ?? '')), tmp);
    assert.equal(existsSync(dirname(file ?? '')), false);
  });

  it('reports the exit code of a failing script, and removes its file all the same', async () => {
    const result = await runner.start(task({ interpreter: 'sh', content: 'echo oops >&2; exit 3' }), capture()).done;
    assert.deepEqual(result, { status: 'failed', exitCode: 3, signal: null });
  });

  it('kills the script and its children, and removes its file', async () => {
    const io = capture();
    const running = runner.start(task({ interpreter: 'sh', content: 'echo "$$ $0"; sleep 30 & sleep 30' }), io);
    const [, pgid, file] = await io.waitFor(/^(\d+) (\S+)\n/);
    groups.push(Number(pgid));
    assert.equal(existsSync(file ?? ''), true, 'the file exists while the script runs');
    running.kill();
    const result = await running.done;
    assert.equal(result.status, 'killed');
    assert.equal(result.signal, 'SIGKILL');
  });

  it('stops a script that runs past timeoutSeconds as timeout, and removes its file', async () => {
    const io = capture();
    const running = runner.start(task({ interpreter: 'sh', content: 'echo "$$"; sleep 30' }, 1), io);
    groups.push(Number((await io.waitFor(/^(\d+)\n/))[1]));
    const result = await running.done;
    assert.equal(result.status, 'timeout');
    assert.equal(result.signal, 'SIGTERM');
    assert.deepEqual(result.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
  });

  it('reports a missing interpreter as InterpreterNotFound, and removes the file it wrote', async () => {
    for (const interpreter of ['python9', '/nonexistent/python9']) {
      const result = await runner.start(task({ interpreter, content: 'print(1)' }), capture()).done;
      assert.deepEqual(result, {
        status: 'failed',
        exitCode: null,
        error: { code: 'InterpreterNotFound', message: `ENOENT: interpreter not found: ${interpreter}`, retryable: false },
      });
      assert.deepEqual(readdirSync(tmp), []);
    }
  });

  it('runs in cwd and gives the script the task environment', async () => {
    const io = capture();
    const t = taskRun(
      'script',
      { interpreter: 'sh', content: 'pwd; echo "$CRONFLEET_TASK_ID $JOB $TOKEN"', args: [], env: { JOB: 'spec' }, cwd },
      { env: { JOB: 'job' }, secretEnv: { TOKEN: 'hunter22' } },
    );
    await runner.start(t, io).done;
    assert.equal(io.text(), `${cwd}\n42 spec hunter22\n`);
  });
});
