import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import type { DockerSpec } from '@cronfleet/shared';
import { capture, taskRun } from '../../src/test-support/runner-harness';
import { DockerRunner, TASK_ID_LABEL, probeDocker } from '../../src/runners/docker.runner';
import type { TaskRunFor } from '../../src/runners/runner';

// Against the real engine (dockerode's defaults: DOCKER_HOST, else /var/run/docker.sock) and the
// image scripts/docker-engine.sh builds from busybox-static; no image is pulled from a registry.
const IMAGE = 'cronfleet-test/busybox:1';
const ENGINE_SCRIPT = join(__dirname, '../../../../scripts/docker-engine.sh');
/** Every container of this run carries it, so leftovers are found even when a test fails early. */
const RUN_LABEL = 'cronfleet.test-run';
const runId = randomUUID();

let nextTaskId = 1_000_000 + Math.floor(Math.random() * 1_000_000);

/** The harness's task:run, with an id of its own: containers are named after it. */
function task(spec: Partial<DockerSpec>, extra: Partial<TaskRunFor<'docker'>> = {}): TaskRunFor<'docker'> {
  const base = taskRun('docker', { image: IMAGE, command: [], env: {}, pull: 'never', volumes: [], network: 'none', ...spec });
  return { ...base, taskId: nextTaskId++, ...extra };
}

/** Pings the engine and checks the image, running scripts/docker-engine.sh once if either is missing. */
async function ensureEngine(docker: Dockerode): Promise<void> {
  const ready = async (): Promise<string | null> => {
    try {
      await docker.ping();
    } catch (e) {
      return `Docker engine not reachable (${e instanceof Error ? e.message : String(e)})`;
    }
    try {
      await docker.getImage(IMAGE).inspect();
      return null;
    } catch {
      return `test image ${IMAGE} missing`;
    }
  };
  const first = await ready();
  if (first === null) return;
  assert.ok(existsSync(ENGINE_SCRIPT), `${first}, and ${ENGINE_SCRIPT} is not there to set it up`);
  try {
    execFileSync('sh', [ENGINE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    assert.fail(`${first}; scripts/docker-engine.sh failed:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
  }
  const second = await ready();
  assert.equal(second, null, `${second} even after scripts/docker-engine.sh`);
}

describe('DockerRunner', () => {
  const docker = new Dockerode();
  const runner = new DockerRunner({ docker, timeoutGraceMs: 0, labels: { [RUN_LABEL]: runId } });

  const containersOf = (taskId?: number): Promise<Dockerode.ContainerInfo[]> =>
    docker.listContainers({ all: true, filters: { label: [taskId === undefined ? `${RUN_LABEL}=${runId}` : `${TASK_ID_LABEL}=${taskId}`] } });

  /** The running container of a task, once it shows up (it is created after the image check). */
  async function containerOf(taskId: number): Promise<Dockerode.Container> {
    for (;;) {
      const [info] = await containersOf(taskId);
      if (info?.State === 'running') return docker.getContainer(info.Id);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    await ensureEngine(docker);
  });

  afterEach(async () => {
    const left = await containersOf();
    for (const c of left) await docker.getContainer(c.Id).remove({ force: true });
    assert.deepEqual(left.map((c) => c.Names), [], 'containers outlived their task');
  });

  it('reports success with exit code 0 and streams what the container prints', async () => {
    const io = capture();
    const result = await runner.start(task({ command: ['echo', 'hello from busybox'] }), io).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0 });
    assert.equal(io.text(), 'hello from busybox\n');
  });

  it('streams stdout and stderr, demultiplexed, while the container still runs', async () => {
    const io = capture();
    const running = runner.start(task({ command: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exec sleep 30'] }), io);
    await io.waitFor(/to-stdout\n[^]*to-stderr\n|to-stderr\n[^]*to-stdout\n/);
    running.kill();
    await running.done;
    assert.deepEqual(io.text().split('\n').filter(Boolean).sort(), ['to-stderr', 'to-stdout'], `no stream headers in ${JSON.stringify(io.text())}`);
  });

  it('keeps multi-byte characters intact', async () => {
    const io = capture();
    const result = await runner.start(task({ command: ['sh', '-c', 'printf "h\\303\\251 \\342\\202\\254\\n"'] }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(io.text(), 'hé €\n');
  });

  it('reports failed with the exit code when the command exits non-zero', async () => {
    const result = await runner.start(task({ command: ['sh', '-c', 'exit 3'] }), capture()).done;
    assert.deepEqual(result, { status: 'failed', exitCode: 3 });
  });

  it('gives the container job env, spec env, secret env and CRONFLEET_* in that order of precedence, and nothing of the worker', async () => {
    process.env.CRONFLEET_WORKER_ONLY = 'worker';
    try {
      const io = capture();
      const t = task(
        { command: ['env'], env: { B: 'spec', C: 'spec' } },
        { env: { A: 'job', B: 'job', C: 'job' }, secretEnv: { C: 'secret', CRONFLEET_TASK_ID: 'forged' } },
      );
      const result = await runner.start(t, io).done;
      assert.equal(result.status, 'success');
      const env = Object.fromEntries(io.text().trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      assert.equal(env.A, 'job');
      assert.equal(env.B, 'spec');
      assert.equal(env.C, 'secret');
      assert.equal(env.CRONFLEET_TASK_ID, String(t.taskId));
      assert.equal(env.CRONFLEET_CRONJOB, 'nightly-backup');
      assert.equal(env.CRONFLEET_SCHEDULED_AT, '2030-01-02T03:04:05.000Z');
      assert.equal(env.CRONFLEET_ATTEMPT, '2');
      assert.equal(env.CRONFLEET_WORKER_ONLY, undefined);
    } finally {
      delete process.env.CRONFLEET_WORKER_ONLY;
    }
  });

  it('keeps secrets out of docker inspect of the running container, while the task has them in its environment and stdin at end of file', async () => {
    // Quotes, a backslash escape, a command substitution and newlines (one trailing): each must arrive as is.
    const secret = `s3cret-${randomUUID()} 'q' "d" \\n $(id) \\\\ %s\nline two\n`;
    const io = capture();
    const t = task(
      { command: ['sh', '-c', 'printf "<%s>\\n" "$API_TOKEN"; echo "A=$A"; cat; echo stdin-ended; echo ready; exec sleep 300'], user: '1234:5678' },
      { env: { A: 'job', API_TOKEN: 'overridden' }, secretEnv: { API_TOKEN: secret } },
    );
    const running = runner.start(t, io);
    await io.waitFor(/ready/);
    const container = await containerOf(t.taskId);
    const inspected = execFileSync('docker', ['inspect', container.id], { encoding: 'utf8' });
    running.kill();
    await running.done;
    assert.equal(io.text(), `<${secret}>\nA=job\nstdin-ended\nready\n`);
    assert.ok(!inspected.includes('s3cret-'), `the secret is in docker inspect:\n${inspected}`);
    assert.ok(!inspected.includes('overridden'), 'nor the value the secret overrides');
    assert.match(inspected, /"A=job"/, 'the job env stays in the config');
  });

  it("runs the image's own entrypoint and command behind the secrets loader when the task gives none", async () => {
    const io = capture();
    // The test image's CMD is /bin/sh: with stdin at end of file it exits 0 at once.
    const result = await runner.start(task({ command: [] }, { secretEnv: { TOKEN: 'x' } }), io).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0 });
  });

  it('refuses to give secrets to an image without /bin/sh (SecretsNeedShell), and runs it without secrets', async () => {
    const noShell = 'cronfleet-test/no-shell:1';
    execFileSync('sh', ['-c', `set -e; docker image inspect ${noShell} >/dev/null 2>&1 && exit 0; d=$(mktemp -d); mkdir "$d/bin"; c=$(docker create ${IMAGE}); docker cp "$c:/bin/busybox" "$d/bin/busybox"; docker rm "$c" >/dev/null; tar -C "$d" -c . | docker import - ${noShell} >/dev/null; rm -rf "$d"`]);
    const refused = await runner.start(task({ image: noShell, command: ['/bin/busybox', 'true'] }, { secretEnv: { TOKEN: 'x' } }), capture()).done;
    assert.equal(refused.status, 'failed');
    assert.equal(refused.error?.code, 'SecretsNeedShell');
    assert.match(refused.error?.message ?? '', /cronfleet-test\/no-shell:1.*\/bin\/sh/);
    assert.deepEqual(await runner.start(task({ image: noShell, command: ['/bin/busybox', 'true'] }), capture()).done, { status: 'success', exitCode: 0 });
  });

  it('runs in the spec workdir as the spec user', async () => {
    const io = capture();
    const result = await runner.start(task({ command: ['sh', '-c', 'pwd; id -u; id -g'], workdir: '/srv/job', user: '1234:5678' }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(io.text(), '/srv/job\n1234\n5678\n');
  });

  it('applies memoryMb and cpus to the container (HostConfig and its cgroup)', async () => {
    const io = capture();
    const t = task({
      memoryMb: 64,
      cpus: 0.5,
      command: ['sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; echo limits-printed; exec sleep 30'],
    });
    const running = runner.start(t, io);
    await io.waitFor(/limits-printed/);
    const { HostConfig } = await (await containerOf(t.taskId)).inspect();
    running.kill();
    await running.done;
    assert.equal(HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(HostConfig.MemorySwap, 64 * 1024 * 1024);
    assert.equal(HostConfig.NanoCpus, 500_000_000);
    assert.match(io.text(), /^67108864\n/);
  });

  it('reports OutOfMemory when the container exceeds memoryMb', async () => {
    const t = task({ memoryMb: 16, command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'] });
    const io = capture();
    const result = await runner.start(t, io).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'OutOfMemory');
    assert.match(result.error?.message ?? '', /16 MiB/);
    assert.doesNotMatch(io.text(), /survived/);
  });

  it('stops the container with SIGTERM and reports killed once it exits', async () => {
    const io = capture();
    const running = runner.start(task({ command: ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 1; done'] }), io);
    await io.waitFor(/ready/);
    running.stop(60_000);
    const result = await running.done;
    assert.deepEqual(result, { status: 'killed', exitCode: 0, signal: null });
    assert.match(io.text(), /got TERM/);
  });

  it('sends SIGKILL after the grace when the container ignores SIGTERM', async () => {
    // sleep as PID 1 of its container: the kernel drops the SIGTERM it has no handler for.
    const io = capture();
    const running = runner.start(task({ command: ['sh', '-c', 'echo ready; exec sleep 300'] }), io);
    await io.waitFor(/ready/);
    running.stop(1000);
    assert.deepEqual(await running.done, { status: 'killed', exitCode: null, signal: 'SIGKILL' });
  });

  it('kills the container and reports killed with SIGKILL', async () => {
    const io = capture();
    const running = runner.start(task({ command: ['sh', '-c', 'trap "" TERM; echo ready; exec sleep 300'] }), io);
    await io.waitFor(/ready/);
    running.kill();
    assert.deepEqual(await running.done, { status: 'killed', exitCode: null, signal: 'SIGKILL' });
  });

  it('stops a container that runs past timeoutSeconds and reports timeout', async () => {
    const result = await runner.start(task({ command: ['sleep', '300'] }, { timeoutSeconds: 1 }), capture()).done;
    assert.equal(result.status, 'timeout');
    assert.equal(result.signal, 'SIGKILL');
    assert.deepEqual(result.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
  });

  it('does not start the container when stopped before it could start', async () => {
    const io = capture();
    const running = runner.start(task({ command: ['sh', '-c', 'echo started'] }), io);
    running.stop(10_000);
    assert.deepEqual(await running.done, { status: 'killed', exitCode: null, signal: null });
    assert.equal(io.text(), '');
  });

  it('reports ImageNotFound, naming the image, when the image is missing and pull is never', async () => {
    const result = await runner.start(task({ image: 'cronfleet-test/absent:0', pull: 'never' }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'ImageNotFound');
    assert.equal(result.error?.retryable, false);
    assert.match(result.error?.message ?? '', /'cronfleet-test\/absent:0'.*'never'/);
  });

  it('reports ImagePullFailed when the image cannot be pulled', async () => {
    // .invalid never resolves (RFC 2606): the engine fails the pull without touching a registry.
    const result = await runner.start(task({ image: 'cronfleet.invalid/absent:0', pull: 'ifNotPresent' }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'ImagePullFailed');
    assert.match(result.error?.message ?? '', /cronfleet\.invalid\/absent:0/);
  });

  it('reports CommandNotFound when the command is not in the image', async () => {
    const result = await runner.start(task({ command: ['no-such-command'] }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'CommandNotFound');
    assert.match(result.error?.message ?? '', /no-such-command/);
  });

  it('gives a container with network none only a loopback interface', async () => {
    const io = capture();
    const result = await runner.start(task({ network: 'none', command: ['ls', '/sys/class/net'] }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(io.text(), 'lo\n');
  });

  it("runs with the engine's default network when network is unset", async () => {
    // On an engine started with --bridge=none (as here) this means loopback only, without an error.
    const result = await runner.start(task({ network: undefined, command: ['true'] }), capture()).done;
    assert.deepEqual(result, { status: 'success', exitCode: 0 });
  });

  it('reports NetworkNotFound for a network the engine does not have', async () => {
    const result = await runner.start(task({ network: 'cronfleet-no-such-network', command: ['true'] }), capture()).done;
    assert.equal(result.error?.code, 'NetworkNotFound');
    assert.match(result.error?.message ?? '', /cronfleet-no-such-network/);
  });

  it('mounts volumes, read-only when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cronfleet-docker-'));
    try {
      writeFileSync(join(dir, 'in.txt'), 'from the host\n');
      const io = capture();
      const t = task({ volumes: [`${dir}:/data:ro`], command: ['sh', '-c', 'cat /data/in.txt; touch /data/new 2>/dev/null || echo read-only'] });
      const result = await runner.start(t, io).done;
      assert.equal(result.status, 'success');
      assert.equal(io.text(), 'from the host\nread-only\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports DockerUnavailable, retryable, when the engine does not answer', async () => {
    const gone = new DockerRunner({ docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }) });
    const result = await gone.start(task({ command: ['true'] }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'DockerUnavailable');
    assert.equal(result.error?.retryable, true);
  });
});

describe('probeDocker', () => {
  it('returns null when no engine listens on the socket', async () => {
    const lines: string[] = [];
    assert.equal(await probeDocker({ socketPath: '/nonexistent/docker.sock', log: (l) => lines.push(l) }), null);
    assert.match(lines.join('\n'), /not offered.*\/nonexistent\/docker\.sock/);
  });

  it('returns the docker runner when the engine answers', async () => {
    const docker = new Dockerode();
    await ensureEngine(docker);
    const runner = await probeDocker({ log: () => {} });
    assert.equal(runner?.name, 'docker');
  });
});
