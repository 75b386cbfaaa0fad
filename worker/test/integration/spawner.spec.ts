import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { nativeSpawner, nativeSpawnerProblem, nodeSpawner, type SpawnSpec, type Spawner } from '../../src/runners/spawner';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

async function run(spawner: Spawner, spec: Partial<SpawnSpec> & { file: string }) {
  const child = spawner.start({ args: [], env: { PATH }, ...spec });
  const chunks: string[] = [];
  for (const s of child.outputs) s.on('data', (b: Buffer) => chunks.push(b.toString()));
  const exit = await child.closed;
  return { ...exit, pid: child.pid, text: chunks.join('') };
}

async function startError(spawner: Spawner, spec: Partial<SpawnSpec> & { file: string }): Promise<NodeJS.ErrnoException> {
  try {
    await spawner.start({ args: [], env: { PATH }, ...spec }).closed;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  assert.fail('expected the spawn to fail');
}

describe('native spawner (posix_spawn addon)', () => {
  const native = nativeSpawner();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cronfleet-spawner-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is built here (npm run build builds it)', () => {
    assert.equal(nativeSpawnerProblem(), null);
    assert.equal(native.name, 'native');
  });

  it('passes argv, exactly the given environment and the working directory', async () => {
    const r = await run(native, { file: 'sh', args: ['-c', 'echo "$0|$1|$2"; env | sort; pwd', 'name', 'a b', 'c'], env: { PATH, ONLY: 'this' }, cwd: dir });
    assert.deepEqual(r, { code: 0, signal: null, pid: r.pid, text: `name|a b|c\nONLY=this\nPATH=${PATH}\nPWD=${dir}\n${dir}\n` });
  });

  it("searches the task's PATH, not the worker's", async () => {
    writeFileSync(join(dir, 'only-here'), '#!/bin/sh\necho found "$0"\n', { mode: 0o755 });
    const r = await run(native, { file: 'only-here', env: { PATH: `/nonexistent:${dir}` } });
    assert.equal(r.text, `found ${dir}/only-here\n`);
    const e = await startError(native, { file: 'only-here' });
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.message, 'spawn only-here ENOENT');
  });

  it('reports EACCES for a program found but not executable, ENOENT for a missing path', async () => {
    writeFileSync(join(dir, 'not-executable'), 'echo no\n', { mode: 0o644 });
    assert.equal((await startError(native, { file: 'not-executable', env: { PATH: dir } })).code, 'EACCES');
    assert.equal((await startError(native, { file: join(dir, 'not-executable') })).code, 'EACCES');
    assert.equal((await startError(native, { file: join(dir, 'missing') })).code, 'ENOENT');
    assert.equal((await startError(native, { file: 'true', cwd: join(dir, 'missing') })).code, 'ENOENT');
  });

  it('runs a script without a #! line through the shell, as execvp does', async () => {
    const file = join(dir, 'no-shebang');
    writeFileSync(file, 'echo from "$0"\n');
    chmodSync(file, 0o755);
    assert.equal((await run(native, { file })).text, `from ${file}\n`);
  });

  it('executes an absolute path and gives the process the argv[0] asked for', async () => {
    for (const spawner of [native, nodeSpawner]) {
      // The shell's own command line: argv[0] is what a multi-call binary (busybox) dispatches on.
      const r = await run(spawner, { file: realpathSync('/bin/sh'), argv0: 'chosen-name', args: ['-c', 'tr "\\0" " " </proc/$$/cmdline'] });
      assert.equal(r.text, `chosen-name -c tr "\\0" " " </proc/$$/cmdline `, spawner.name);
    }
  });

  it('refuses a NUL in an argument instead of cutting it short', () => {
    assert.throws(() => native.start({ file: 'echo', args: ['a\0b'], env: { PATH } }), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('starts the child as a session leader, stdin on /dev/null, no signal blocked or ignored, no fd but 0-2', async () => {
    // The worker (Node) ignores SIGPIPE; a child must not inherit that. The shell reads its own
    // signal masks with built-ins: dash blocks every signal around each fork, so a grep it forks could
    // read its status in that moment (it did, under load: SigBlk fffffffe7ffbfeff).
    const masks = 'while read -r l; do case "$l" in SigBlk*|SigIgn*) echo "$l";; esac; done < /proc/$$/status';
    const script = `ps -o pid=,sid=,pgid= -p $$; readlink /proc/$$/fd/0; ${masks}; ls /proc/$$/fd`;
    const r = await run(native, { file: 'sh', args: ['-c', script] });
    const [ids, stdin, blocked, ignored, ...fds] = r.text.trim().split('\n');
    assert.deepEqual(ids.trim().split(/\s+/).map(Number), [r.pid, r.pid, r.pid]);
    assert.equal(stdin, '/dev/null');
    assert.match(blocked, /^SigBlk:\s+0+$/);
    const SIGPIPE = 1n << 12n; // signal 13
    assert.equal(BigInt(`0x${ignored.split(/\s+/)[1]}`) & SIGPIPE, 0n, `SIGPIPE left ignored: ${ignored}`);
    // Beyond 0-2, only what the worker itself inherited without close-on-exec (none, for a worker
    // started normally; a test harness may pass one down), never the worker's own pipes or sockets.
    // ls sorts names as text (10 before 2): compare as numbers.
    assert.deepEqual(fds.map(Number).sort((a, b) => a - b), [0, 1, 2, ...inheritedFds().map(Number)]);
  });

  it('reports a signal death by name and an exit code otherwise', async () => {
    const killed = await run(native, { file: 'sh', args: ['-c', 'kill -TERM $$'] });
    assert.deepEqual({ code: killed.code, signal: killed.signal }, { code: null, signal: 'SIGTERM' });
    const exited = await run(native, { file: 'sh', args: ['-c', 'exit 7'] });
    assert.deepEqual({ code: exited.code, signal: exited.signal }, { code: 7, signal: null });
  });

  it('keeps stdout and stderr in the order they were written (one pipe)', async () => {
    const r = await run(native, { file: 'sh', args: ['-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done'] });
    assert.equal(r.text, 'out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n');
  });

  it('calls onExit before the output closes when a descendant holds the pipe', async () => {
    const child = native.start({ file: 'sh', args: ['-c', 'sleep 5 & echo started'], env: { PATH } });
    let exitedAt = 0;
    child.onExit(() => {
      exitedAt = Date.now();
      process.kill(-(child.pid as number), 'SIGKILL'); // what process-task does: the group goes with it
    });
    const out = await read(child.outputs[0]);
    await child.closed;
    assert.ok(exitedAt > 0);
    assert.equal(out, 'started\n');
  });

  it('starts 200 processes at once and reaps every one', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => run(native, { file: 'sh', args: ['-c', `exit ${i % 5}`] })));
    assert.deepEqual(
      results.map((r) => r.code),
      Array.from({ length: 200 }, (_, i) => i % 5),
    );
  });

  it('matches node:child_process on the same command', async () => {
    const spec = { file: 'sh', args: ['-c', 'echo "$X"; exit 3'], env: { PATH, X: 'same' } };
    const [a, b] = await Promise.all([run(native, spec), run(nodeSpawner, spec)]);
    assert.deepEqual({ ...a, pid: 0 }, { ...b, pid: 0 });
  });
});

/** This process's descriptors above 2 without O_CLOEXEC, as a child would inherit them. */
function inheritedFds(): string[] {
  const O_CLOEXEC = 0o2000000;
  return readdirSync('/proc/self/fd')
    .filter((fd) => Number(fd) > 2)
    .filter((fd) => {
      const flags = /flags:\s+(\d+)/.exec(readText(`/proc/self/fdinfo/${fd}`))?.[1];
      return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0;
    })
    .sort((a, b) => Number(a) - Number(b));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the directory listing's own descriptor, gone by now
  }
}

function read(stream: Readable | undefined): Promise<string> {
  assert.ok(stream);
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (b: Buffer) => (text += b.toString()));
    stream.on('close', () => resolve(text));
  });
}
