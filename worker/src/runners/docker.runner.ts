import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { Writable, type Duplex, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Dockerode from 'dockerode';
import type { SerializedError } from '@cronfleet/shared';
import { encodeSecrets, secretsEntrypoint, splitDockerEnv } from './docker-secrets';
import { timeoutError, type Runner, type RunnerIO, type RunnerResult, type RunningTask, type TaskRunFor } from './runner';

/** Options of the `docker` runner. */
export interface DockerRunnerOptions {
  /** The engine to use. Default: dockerode's defaults (`DOCKER_HOST`, else `/var/run/docker.sock`). */
  docker?: Dockerode;
  /**
   * After the SIGTERM of a timeout, milliseconds before Docker sends SIGKILL. Default 5000. Docker
   * counts whole seconds: every grace is rounded up to the next second.
   */
  timeoutGraceMs?: number;
  /** Extra labels on every container, e.g. `{ 'cronfleet.worker': name }`. */
  labels?: Record<string, string>;
  /** Receives a line when a container could not be removed. Default: stderr. */
  log?: (line: string) => void;
}

/** Label carrying the task id on every container this runner creates (`docker ps -f label=...`). */
export const TASK_ID_LABEL = 'cronfleet.task-id';
/** After the container has exited, how long its output may still trickle in before we stop reading. */
const OUTPUT_DRAIN_MS = 5000;

/**
 * Runs each task in a container of its own, removed afterwards (`docker rm -f`) whatever happened.
 * Stop is `docker stop -t <grace>` (the image's stop signal, SIGTERM by default, then SIGKILL), kill
 * is `docker kill`; `timeoutSeconds` counts from `start()`, pulling the image included.
 *
 * Network: `spec.network` unset leaves the engine's default (`bridge`). An engine started with
 * `--bridge=none` has no bridge network: its containers then get only a loopback interface, as
 * with `none`, without an error. A named network that does not exist fails with `NetworkNotFound`.
 */
export class DockerRunner implements Runner<'docker'> {
  readonly name = 'docker';
  private readonly docker: Dockerode;
  private readonly timeoutGraceMs: number;
  private readonly labels: Record<string, string>;
  private readonly log: (line: string) => void;

  constructor(options: DockerRunnerOptions = {}) {
    this.docker = options.docker ?? new Dockerode();
    this.timeoutGraceMs = options.timeoutGraceMs ?? 5000;
    this.labels = options.labels ?? {};
    this.log = options.log ?? ((line) => void process.stderr.write(`cronfleet-worker: ${line}\n`));
  }

  start(task: TaskRunFor<'docker'>, io: RunnerIO): RunningTask {
    const run = new DockerTask(this.docker, task, io, this.labels, this.log);
    const timer = task.timeoutSeconds === null ? undefined : setTimeout(() => run.end('timeout', this.timeoutGraceMs), task.timeoutSeconds * 1000);
    const done = run.run().finally(() => clearTimeout(timer));
    return { done, stop: (graceMs) => run.end('killed', graceMs), kill: () => run.end('killed', 0, true) };
  }
}

/**
 * One task's container. States: preparing (image check or pull, create, attach) → started → exited
 * → removed. A stop, kill or timeout while preparing cancels the pull and ends the task before its
 * container starts (status `killed`/`timeout`, no exit code); once started it becomes `docker stop`
 * or `docker kill`, sent again if a later call brings the SIGKILL closer. A request that arrives
 * while the start itself is in flight is sent as soon as the start returns.
 */
class DockerTask {
  private ending: 'timeout' | 'killed' | null = null;
  private killRequested = false;
  private stopAtMs = Infinity;
  private stopSentAtMs = Infinity;
  private killSent = false;
  private started = false;
  private exited = false;
  private container: Dockerode.Container | undefined;
  private output: Readable | undefined;
  private stdin: Duplex | undefined;
  private readonly pullAbort = new AbortController();

  constructor(
    private readonly docker: Dockerode,
    private readonly task: TaskRunFor<'docker'>,
    private readonly io: RunnerIO,
    private readonly labels: Record<string, string>,
    private readonly log: (line: string) => void,
  ) {}

  end(why: 'timeout' | 'killed', graceMs: number, kill = false): void {
    if (this.exited) return;
    this.ending ??= why;
    if (kill) this.killRequested = true;
    this.stopAtMs = Math.min(this.stopAtMs, Date.now() + Math.max(0, graceMs));
    if (!this.started) this.pullAbort.abort();
    this.signalContainer();
  }

  async run(): Promise<RunnerResult> {
    try {
      return await this.execute();
    } catch (e) {
      // Our own cancel of a pull surfaces as an error: it is the stop, not a failure.
      if (this.ending && !this.started) return this.ended(null, null);
      return { status: 'failed', exitCode: null, error: engineError(e, this.task.spec.image) };
    } finally {
      this.exited = true;
      this.output?.destroy();
      this.stdin?.destroy();
      await this.remove();
    }
  }

  private async execute(): Promise<RunnerResult> {
    const { spec } = this.task;
    await ensureImage(this.docker, spec.image, spec.pull, this.pullAbort.signal);
    if (this.ending) return this.ended(null, null);

    // Secrets go through stdin, not Config.Env, which `docker inspect` shows (see docker-secrets.ts).
    const { env, secrets } = splitDockerEnv(this.task);
    const withSecrets = Object.keys(secrets).length > 0;
    const entry = withSecrets ? await this.secretsEntry() : undefined;
    if (this.ending) return this.ended(null, null);
    const container = await this.docker.createContainer(this.createOptions(env, entry));
    this.container = container;
    if (this.ending) return this.ended(null, null);
    let stdin: Duplex | undefined;
    if (withSecrets) {
      await needsShell(container, spec.image);
      stdin = (await container.attach({ stream: true, stdin: true, hijack: true })) as unknown as Duplex;
      this.stdin = stdin;
      stdin.on('error', () => undefined); // a container that ends at once closes it first; its result says why
    }
    // Attached before the start, so not a byte of output is missed however fast the command exits.
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    this.output = stream;
    const outputEnded = this.pipeOutput(stream);
    if (this.ending) return this.ended(null, null);

    await container.start();
    this.started = true;
    stdin?.end(encodeSecrets(secrets));
    this.signalContainer();
    await container.wait();
    this.exited = true;
    await drained(outputEnded, OUTPUT_DRAIN_MS);
    const { State } = await container.inspect();
    return this.result(State.ExitCode, State.OOMKilled);
  }

  /** The image's entrypoint and the task's command (else the image's), behind the secrets loader. */
  private async secretsEntry(): Promise<{ Entrypoint: string[]; Cmd: string[] }> {
    const { spec } = this.task;
    const { Config } = await this.docker.getImage(spec.image).inspect();
    const words = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' && v !== '' ? [v] : []);
    return secretsEntrypoint(words(Config.Entrypoint), spec.command.length > 0 ? spec.command : words(Config.Cmd));
  }

  /** `env`: the task's environment but its secrets; `entry`: the secrets loader's entrypoint, when there are secrets. */
  private createOptions(env: Record<string, string>, entry?: { Entrypoint: string[]; Cmd: string[] }): Dockerode.ContainerCreateOptions {
    const { task } = this;
    const { spec } = task;
    // Worker-independent: nothing of the worker's own environment goes into the container.
    const labels: Record<string, string> = { ...this.labels, [TASK_ID_LABEL]: String(task.taskId), 'cronfleet.attempt': String(task.attempt) };
    if (task.cronjobId !== null) labels['cronfleet.cronjob-id'] = String(task.cronjobId);
    if (task.cronjobName !== null) labels['cronfleet.cronjob'] = task.cronjobName;
    const memory = spec.memoryMb === undefined ? undefined : spec.memoryMb * 1024 * 1024;
    return {
      name: `cronfleet-task-${task.taskId}-${randomBytes(3).toString('hex')}`,
      Image: spec.image,
      ...(entry ?? { Cmd: spec.command.length > 0 ? spec.command : undefined }),
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: spec.workdir,
      User: spec.user,
      Labels: labels,
      Tty: false,
      // With secrets, stdin carries them once and is then closed (StdinOnce): the task reads end of file, as without.
      OpenStdin: entry !== undefined,
      StdinOnce: entry !== undefined,
      AttachStdin: entry !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        AutoRemove: false,
        Binds: spec.volumes,
        // MemorySwap = Memory: memoryMb is all the container gets; Docker's default would add as much swap.
        ...(memory === undefined ? {} : { Memory: memory, MemorySwap: memory }),
        ...(spec.cpus === undefined ? {} : { NanoCpus: Math.round(spec.cpus * 1e9) }),
        ...(spec.network === undefined ? {} : { NetworkMode: spec.network }),
      },
    };
  }

  /** Demultiplexes the attach stream into `io.output`, one UTF-8 decoder per stream; resolves at its end. */
  private pipeOutput(stream: Readable): Promise<void> {
    const sink = (): { writable: Writable; flush(): void } => {
      const decoder = new StringDecoder('utf8');
      const emit = (text: string): void => {
        if (text) this.io.output(text);
      };
      const writable = new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          emit(decoder.write(chunk));
          // Backpressure (RunnerIO.room): stop reading the attach stream until the server caught up.
          const wait = this.io.room?.();
          if (wait) {
            stream.pause();
            void wait.then(() => stream.resume());
          }
          callback();
        },
      });
      return { writable, flush: () => emit(decoder.end()) };
    };
    const stdout = sink();
    const stderr = sink();
    this.docker.modem.demuxStream(stream, stdout.writable, stderr.writable);
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        stdout.flush();
        stderr.flush();
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', finish);
    });
  }

  /** Sends what stop/kill/timeout asked for, once the container runs; engine refusals (already stopped, gone) change nothing. */
  private signalContainer(): void {
    const container = this.container;
    if (!this.started || this.exited || !container) return;
    if (this.killRequested) {
      if (!this.killSent) {
        this.killSent = true;
        container.kill().catch(() => undefined);
      }
      return;
    }
    if (this.stopAtMs >= this.stopSentAtMs) return;
    this.stopSentAtMs = this.stopAtMs;
    const t = Math.ceil(Math.max(0, this.stopAtMs - Date.now()) / 1000);
    container.stop({ t }).catch(() => undefined);
  }

  /** The result of a task ended by stop, kill or its timeout (`ending` set). */
  private ended(exitCode: number | null, signal: string | null): RunnerResult {
    const status = this.ending ?? 'killed';
    const { timeoutSeconds } = this.task;
    if (status === 'timeout' && timeoutSeconds !== null) return { status, exitCode, signal, error: timeoutError(timeoutSeconds) };
    return { status, exitCode, signal };
  }

  private result(exitCode: number, oomKilled: boolean): RunnerResult {
    if (this.ending) {
      // Docker only tells 128+N for a process ended by signal N.
      const signal = signalFromExitCode(exitCode);
      return this.ended(signal ? null : exitCode, signal);
    }
    if (oomKilled) {
      const limit = this.task.spec.memoryMb === undefined ? 'its memory limit' : `its memory limit of ${this.task.spec.memoryMb} MiB`;
      return { status: 'failed', exitCode, signal: signalFromExitCode(exitCode), error: { code: 'OutOfMemory', message: `container ran out of memory (${limit}) and was killed`, retryable: false } };
    }
    return { status: exitCode === 0 ? 'success' : 'failed', exitCode };
  }

  private async remove(): Promise<void> {
    if (!this.container) return;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) return; // already gone, or its removal already under way
      this.log(`docker: could not remove container ${this.container.id} of task ${this.task.taskId}: ${engineMessage(e)}`);
    }
  }
}

/** Makes `image` available per the pull policy; throws (see {@link engineError}) when it cannot be. */
async function ensureImage(docker: Dockerode, image: string, policy: 'ifNotPresent' | 'always' | 'never', signal: AbortSignal): Promise<void> {
  if (policy !== 'always') {
    try {
      await docker.getImage(image).inspect();
      return;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      if (policy === 'never') throw new RunnerError('ImageNotFound', `image '${image}' is not on this worker's Docker engine, and the spec's pull policy is 'never'`, false);
    }
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image, { abortSignal: signal });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: unknown) => (err ? reject(err) : resolve())));
  } catch (e) {
    if (signal.aborted) throw e;
    if ((e as { statusCode?: number }).statusCode === 404) throw new RunnerError('ImageNotFound', `image '${image}' could not be pulled: ${engineMessage(e)}`, false);
    throw new RunnerError('ImagePullFailed', `pulling image '${image}' failed: ${engineMessage(e)}`, true);
  }
}

/** Throws `SecretsNeedShell` when the container has no /bin/sh to run the secrets loader. */
async function needsShell(container: Dockerode.Container, image: string): Promise<void> {
  try {
    // Not infoArchive: its HEAD request's answer is never read to its end, so each one held a
    // connection to the engine open for good (the docker spec's process never exited). The archive's
    // first bytes answer the question; the stream is dropped at once.
    const archive = (await container.getArchive({ path: '/bin/sh' })) as unknown as { destroy(): void };
    archive.destroy();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    throw new RunnerError(
      'SecretsNeedShell',
      `image '${image}' has no /bin/sh, which the docker runner needs to give the job's secretEnv to the task without writing it into the container's config (visible to docker inspect): use an image with /bin/sh, or pass the secret another way`,
      false,
    );
  }
}

class RunnerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The engine's own message when it sent one ("No such image: x"), else the error's. */
function engineMessage(e: unknown): string {
  const json = (e as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  return e instanceof Error ? e.message : String(e);
}

/** Turns what the engine (or the way to it) threw into an error a person can act on. */
function engineError(e: unknown, image: string): SerializedError {
  if (e instanceof RunnerError) return { code: e.code, message: e.message, retryable: e.retryable };
  const errno = (e as { code?: unknown } | null)?.code;
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  const message = engineMessage(e);
  if (typeof errno === 'string' && status === undefined) {
    if (errno === 'EACCES') return { code: 'DockerUnavailable', message: `permission denied on the Docker socket (${message}): the worker's user needs access to it, e.g. the docker group`, retryable: true };
    return { code: 'DockerUnavailable', message: `the Docker engine does not answer: ${message}`, retryable: true };
  }
  if (/no such image/i.test(message)) return { code: 'ImageNotFound', message: `image '${image}' not found: ${message}`, retryable: false };
  if (/network .* not found/i.test(message)) return { code: 'NetworkNotFound', message, retryable: false };
  if (/executable file not found|exec: .*no such file or directory/i.test(message)) return { code: 'CommandNotFound', message, retryable: false };
  if (/unable to find (user|group)/i.test(message)) return { code: 'InvalidUser', message, retryable: false };
  return { code: 'DockerError', message: `Docker engine: ${message}`, retryable: typeof status === 'number' && status >= 500 };
}

function signalFromExitCode(exitCode: number): string | null {
  if (exitCode <= 128) return null;
  const entry = Object.entries(constants.signals).find(([, n]) => n === exitCode - 128);
  return entry ? entry[0] : null;
}

/** Resolves when `promise` settles or after `ms`, whichever comes first, leaving no timer behind. */
async function drained(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Options of {@link probeDocker}: where the engine is, how long to wait, and the runner's own options. */
export interface ProbeDockerOptions extends Omit<DockerRunnerOptions, 'docker'> {
  /** Unix socket of the engine. Default: dockerode's (`DOCKER_HOST`, else `/var/run/docker.sock`). */
  socketPath?: string;
  /** How long the engine has to answer the ping, in ms. Default 2000. */
  timeoutMs?: number;
}

/**
 * The docker runner if a Docker engine answers a ping within `timeoutMs`, else null (the worker
 * then does not offer `docker`). Never throws; logs one line either way through `options.log`.
 */
export async function probeDocker(options: ProbeDockerOptions = {}): Promise<DockerRunner | null> {
  const { socketPath, timeoutMs = 2000, ...runnerOptions } = options;
  const docker = new Dockerode(socketPath === undefined ? undefined : { socketPath });
  const where = socketPath ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await (docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>).call(docker, { abortSignal: abort.signal });
    runnerOptions.log?.(`docker runner: engine at ${where} answers`);
    return new DockerRunner({ ...runnerOptions, docker });
  } catch (e) {
    const why = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : engineMessage(e);
    runnerOptions.log?.(`docker runner not offered: no Docker engine at ${where} (${why})`);
    return null;
  } finally {
    clearTimeout(timer);
  }
}
