import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskUpdate } from '@cronfleet/shared';
import { runWorkerCli } from '../../src/cli';
import { GatewayStub, TOKEN, TempDirs, leakGuard, spooledResults } from './gateway-stub';

const RUN_CLI = join(__dirname, 'run-cli.js');

/** The worker CLI in a process of its own, as an operator or `cronfleet server --local-worker` runs it. */
class WorkerProcess {
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (this.stderr += t));
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  /** `ipc`: started with an IPC channel, as `cronfleet server --local-worker` does. */
  static start(args: string[], ipc: boolean): WorkerProcess {
    const env: NodeJS.ProcessEnv = { CRONFLEET_WORKER_TOKEN: TOKEN };
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRONFLEET_')) env[k] = v;
    const stdio = ['ignore', 'ignore', 'pipe'] as const;
    const child = ipc
      ? fork(RUN_CLI, args, { env, execArgv: [], stdio: [...stdio, 'ipc'] })
      : spawn(process.execPath, [RUN_CLI, ...args], { env, stdio: [...stdio] });
    return new WorkerProcess(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

describe('cronfleet-worker process: signals and the local-worker IPC channel', () => {
  let guard: ReturnType<typeof leakGuard>;
  const dirs = new TempDirs();
  let server: GatewayStub | null = null;
  let proc: WorkerProcess | null = null;

  before(() => {
    guard = leakGuard();
  });

  afterEach(async () => {
    // A test that failed half-way: escalate as an operator would (the third signal kills the tasks).
    for (let i = 0; proc?.running && i < 3; i++) {
      proc.child.kill('SIGTERM');
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 500))]);
    }
    if (proc?.running) proc.child.kill('SIGKILL');
    await proc?.exited;
    if (server) await server.close();
    server = proc = null;
    dirs.removeAll();
    await guard.check();
  });

  async function start(extraArgs: string[], ipc = false): Promise<{ s: GatewayStub; p: WorkerProcess; stateDir: string }> {
    const s = await GatewayStub.start();
    server = s;
    const stateDir = dirs.make();
    const p = WorkerProcess.start(['--server', s.url, '--name', 'local-test', '--state-dir', stateDir, ...extraArgs], ipc);
    proc = p;
    await Promise.race([
      s.waitFor('hello', () => s.hellos.length === 1),
      p.exited.then((e) => Promise.reject(new Error(`worker exited (${JSON.stringify(e)}): ${p.stderr}`))),
    ]);
    return { s, p, stateDir };
  }

  /** The task's result, from the server or, when the worker exited before delivering it, from the state dir. */
  function resultOf(s: GatewayStub, stateDir: string, taskId: number): TaskUpdate | undefined {
    return s.results().find((r) => r.taskId === taskId) ?? spooledResults(stateDir).find((r) => r.taskId === taskId);
  }

  it('first SIGTERM drains (the server hears it at once), the second stops the running task as WorkerShutdown; exit 0', async () => {
    const { s, p } = await start([]);
    await s.run(1, 'sleep', '30');
    await s.waitFor('running', () => s.updates(1).length === 1);
    p.child.kill('SIGTERM');
    await s.waitFor('a draining heartbeat', () => s.heartbeats.some((h) => h.draining));
    const refused = await s.run(2, 'echo');
    assert.equal(refused.accepted === false && refused.error.code, 'WorkerDraining');
    assert.ok(p.running, 'waits for the running task with no time limit');

    p.child.kill('SIGTERM');
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    const last = s.updates(1).at(-1);
    assert.equal(last?.status, 'killed');
    assert.equal(last?.signal, 'SIGTERM');
    assert.deepEqual(last?.error, { code: 'WorkerShutdown', message: 'worker is shutting down', retryable: true });
    assert.match(p.stderr, /received SIGTERM: draining \(signal again to stop the running tasks, a third time to kill them\)/);
  });

  it('a third signal SIGKILLs the tasks at once and exits 1', async () => {
    const { s, p, stateDir } = await start(['--stop-grace', '600']);
    await s.run(1, 'sh', '-c', 'trap "" TERM; echo trapped; sleep 30');
    await s.waitFor('the trap set', () => s.output(1) === 'trapped\n');
    p.child.kill('SIGINT');
    await s.waitFor('a draining heartbeat', () => s.heartbeats.some((h) => h.draining));
    p.child.kill('SIGINT');
    await pollStderr(p, /stopping 1 running task\(s\): SIGTERM now, SIGKILL after 600 s/);
    p.child.kill('SIGINT');
    assert.deepEqual(await p.exited, { code: 1, signal: null });
    const result = resultOf(s, stateDir, 1);
    assert.equal(result?.status, 'killed');
    assert.equal(result?.signal, 'SIGKILL');
  });

  it("on cronfleet server's IPC shutdown message, lets running tasks finish for 10 s, then stops them; exit 0", async () => {
    const { s, p } = await start([], true);
    await s.run(1, 'sh', '-c', 'sleep 1; echo finished');
    await s.run(2, 'sleep', '30');
    await s.waitFor('both running', () => s.updates(1).length === 1 && s.updates(2).length === 1);
    const askedAt = Date.now();
    p.child.send({ type: 'shutdown' });
    await s.waitFor('a draining heartbeat', () => s.heartbeats.some((h) => h.draining));
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.equal(s.updates(1).at(-1)?.status, 'success');
    const stopped = s.updates(2).at(-1);
    assert.equal(stopped?.status, 'killed');
    assert.equal(stopped?.error?.code, 'WorkerShutdown');
    // Timers never fire early: the lower bound cannot flake, and there is no upper one.
    assert.ok((stopped?.atMs ?? 0) - askedAt >= 9_500, `stopped ${(stopped?.atMs ?? 0) - askedAt} ms after the request`);
    assert.match(p.stderr, /the server asked this worker to shut down: draining/);
    assert.match(p.stderr, /waiting for up to 10 s for 2 running task\(s\)/);
  });

  it('stops when the IPC channel to the server that started it closes', async () => {
    const { s, p } = await start(['--shutdown-grace', '0'], true);
    await s.run(1, 'sleep', '30');
    await s.waitFor('running', () => s.updates(1).length === 1);
    p.child.disconnect();
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.equal(s.updates(1).at(-1)?.error?.code, 'WorkerShutdown');
    assert.match(p.stderr, /the server that started this worker is gone: draining/);
  });

  it('exits 2 with one line naming the directory and the option when the state dir cannot be created', async () => {
    const file = join(dirs.make(), 'a-file');
    writeFileSync(file, '');
    let stderr = '';
    const code = await runWorkerCli(['--server', 'http://127.0.0.1:9', '--token', 't', '--state-dir', join(file, 'state')], {
      stderr: (t) => (stderr += t),
      env: {},
    });
    assert.equal(code, 2);
    assert.match(stderr, /^cronfleet-worker: state directory \S+\/a-file\/state is not usable \(ENOTDIR: not a directory, mkdir '\S+'\); point --state-dir or CRONFLEET_WORKER_STATE_DIR at a writable directory\n$/);
  });
});

async function pollStderr(p: WorkerProcess, re: RegExp, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!re.test(p.stderr)) {
    if (Date.now() > until || !p.running) throw new Error(`no ${re} in the worker's stderr:\n${p.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
