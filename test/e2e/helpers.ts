// The e2e harness: real server and worker processes on free ports, each server on a fresh backend
// (a temp dir with embedded SQLite, or a fresh MariaDB database plus a unique Redis key prefix),
// a typed REST client, a polling waitFor, and teardown with a leak guard.
// Polling is fine here, in tests; the product itself must not poll.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection, type Connection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, WORKER_NAMESPACE } from '@cronfleet/shared';
import { ApiClient, FINAL_TASK_STATUSES, type Task, type WorkerInfo } from './api-client';
import { describeProcesses, liveProcessesMentioning } from './procfs';
import { findRepoRoot, freePort } from '../support/local-host';

export { findRepoRoot, freePort };

export * from './api-client';
export * from './procfs';

export type Backend = 'embedded' | 'mysql';

/**
 * MariaDB (root, no password) and Redis of the test machine, which .ci/run starts when down;
 * CRONFLEET_TEST_MYSQL and CRONFLEET_TEST_REDIS point the tests elsewhere, as in docs/testing.md.
 */
const MYSQL_URL = (process.env.CRONFLEET_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const REDIS_URL = process.env.CRONFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const HEALTHZ_TIMEOUT_MS = 30_000;
/** How long a process gets after SIGTERM before SIGKILL; the contract says both programs stop gracefully. */
const STOP_GRACE_MS = 15_000;
/** Captured output kept per process; older output is dropped. */
const OUTPUT_LIMIT = 1_000_000;

export function randomId(bytes = 5): string {
  return randomBytes(bytes).toString('hex');
}

/** Put in every command line this test file starts, so the leak guard can find what was left. */
export const RUN_ID = `cf-e2e-${randomId()}`;

export const repoRoot: string = findRepoRoot(__dirname);
/** The `cronfleet` command (the CLI package): the admin commands, `cronfleet server` and `cronfleet worker`. */
export const CLI_BIN = join(repoRoot, 'cli/bin/cronfleet.js');
/** The server package's own command, the server alone (what the server image runs). */
export const SERVER_BIN = join(repoRoot, 'apiserver/bin/cronfleet-server.js');



export interface WaitForOptions {
  timeoutMs: number;
  /** What is awaited, as the end of "timed out waiting for …". */
  what: string;
  intervalMs?: number;
  /** More context for the failure message, such as a server's output. */
  details?: () => string;
}

/** Thrown from a {@link waitFor} callback to stop waiting at once: the awaited state can no longer come. */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

/**
 * Calls `fn` until it returns something other than undefined, null or false, and returns that.
 * Errors thrown by `fn` count as "not yet", the last one shown if time runs out; {@link GiveUp} ends the wait.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: WaitForOptions,
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last !== undefined && last !== null && last !== false) return last as T;
    } catch (e) {
      if (e instanceof GiveUp) throw new Error(`gave up waiting for ${opts.what}: ${e.message}${opts.details ? `\n${opts.details()}` : ''}`);
      lastError = e;
    }
    if (Date.now() - started >= opts.timeoutMs) break;
    await sleep(opts.intervalMs ?? 200);
  }
  const parts = [`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`];
  if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  else parts.push(`last value: ${JSON.stringify(last)}`);
  if (opts.details) parts.push(opts.details());
  throw new Error(parts.join('\n'));
}

/** Waits until task `id` has a final status and returns it; `what` ends the timeout message. */
export function waitForTaskEnd(
  api: ApiClient,
  id: number,
  opts: { timeoutMs: number; details?: () => string; what?: string; intervalMs?: number },
): Promise<Task> {
  return waitFor(
    async () => {
      const t = await api.getTask(id);
      return FINAL_TASK_STATUSES.includes(t.status) && t;
    },
    { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, what: opts.what ?? `task ${id} to finish`, details: opts.details },
  );
}

/**
 * Waits until a worker is online on the server `api` talks to and returns it: the one named `name`,
 * else one that `where` accepts, else any; with `count`, until that many are online.
 */
export function waitForWorkerOnline(
  api: Pick<ApiClient, 'listWorkers'>,
  opts: { name?: string; where?: (w: WorkerInfo) => boolean; count?: number; timeoutMs?: number; what?: string; details?: () => string } = {},
): Promise<WorkerInfo> {
  const count = opts.count ?? 1;
  const accepts = (w: WorkerInfo) => w.status === 'online' && (opts.name === undefined || w.name === opts.name) && (opts.where?.(w) ?? true);
  const what = opts.what ?? (opts.name !== undefined ? `worker ${opts.name} online` : count > 1 ? `${count} workers online` : 'the worker online');
  return waitFor(
    async () => {
      const online = (await api.listWorkers()).items.filter(accepts);
      return online.length >= count && online[0];
    },
    { timeoutMs: opts.timeoutMs ?? 20_000, what, details: opts.details },
  );
}

const spawned = new Set<TestProcess>();

/** A child process whose stdout and stderr are captured, stopped with SIGTERM then SIGKILL. */
export class TestProcess {
  readonly child: ChildProcess;
  /** Set when the process needed SIGKILL after SIGTERM: a failure of graceful shutdown. */
  forcedKill = false;
  private captured = '';
  private readonly exit: Promise<void>;

  constructor(
    readonly label: string,
    args: readonly string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    this.child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.add(this);
    const verbose = Boolean(process.env.CRONFLEET_E2E_VERBOSE);
    const capture = (chunk: Buffer): void => {
      this.captured += chunk.toString('utf8');
      if (this.captured.length > OUTPUT_LIMIT) this.captured = this.captured.slice(-OUTPUT_LIMIT / 2);
      if (verbose) process.stderr.write(`[${label}] ${chunk.toString('utf8')}`);
    };
    this.child.stdout?.on('data', capture);
    this.child.stderr?.on('data', capture);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (e) => {
        this.captured += `\n[spawn error] ${e.message}\n`;
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
  exitDescription(): string {
    if (!this.exited) return 'still running';
    return this.child.signalCode ? `killed by ${this.child.signalCode}` : `exit code ${this.child.exitCode}`;
  }

  /** The last `chars` characters of stdout and stderr, interleaved as they came. */
  output(chars = 8000): string {
    return this.captured.slice(-chars);
  }
  /** The output, framed for a failure message. */
  report(chars?: number): string {
    return `--- ${this.label} (pid ${this.pid}, ${this.exitDescription()}) output ---\n${this.output(chars)}\n--- end of ${this.label} ---`;
  }

  waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return Promise.race([this.exit.then(() => true), sleep(timeoutMs, false, { ref: false })]);
  }

  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    if (await this.waitForExit(graceMs)) return;
    this.forcedKill = true;
    this.child.kill('SIGKILL');
    await this.waitForExit(5000);
  }
}

// Last resort when the test runner itself is interrupted: leave no server or worker running.
process.once('exit', () => {
  for (const p of spawned) if (!p.exited) p.child.kill('SIGKILL');
});

/** Env for a child: ours, without CRONFLEET_* settings or the test runner's own markers. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('CRONFLEET_') || k.startsWith('NODE_TEST') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** What a CLI run printed, and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cronfleet <args>` against `server` with its admin token (and `extraEnv`), to its end. */
export function runCli(server: TestServer, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = childEnv({ CRONFLEET_SERVER: server.url, CRONFLEET_ADMIN_TOKEN: server.adminToken, ...extraEnv });
    execFile(process.execPath, [CLI_BIN, ...args], { cwd: repoRoot, env, timeout: 60_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The server's answer to a `worker:hello`. */
export type HelloAnswer = { ok: boolean; workerId?: number; credential?: string; error?: { code: string; message: string } };

/**
 * A raw socket.io client on the worker namespace with the worker token (anyone holding it can do
 * this): says one hello, a plausible one unless `hello` says otherwise, and gives the server's ack
 * and the socket (disconnect it when done).
 */
export async function sayWorkerHello(server: Pick<TestServer, 'url' | 'workerToken'>, hello: Record<string, unknown>): Promise<{ ack: HelloAnswer; socket: Socket }> {
  const socket = io(server.url + WORKER_NAMESPACE, { auth: { token: server.workerToken }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack = (await socket.timeout(10_000).emitWithAck('worker:hello', {
    hostname: 'raw',
    version: 'test',
    protocolVersion: PROTOCOL_VERSION,
    capacity: 1,
    labels: {},
    runners: ['command'],
    runningTaskIds: [],
    clockMs: Date.now(),
    ...hello,
  })) as HelloAnswer;
  return { ack, socket };
}

export interface StartServerOptions {
  backend: Backend;
  /** Pass `--local-worker`. */
  localWorker?: boolean;
  /** Use the same database, Redis prefix and tokens as this server (two servers, one fleet). Stop it last. */
  sharedWith?: TestServer;
  /** Extra environment, applied last. */
  env?: Record<string, string>;
  /** Listen on this port (a server restarted where its workers expect it); default a free one. */
  port?: number;
}

export interface TestServer {
  readonly backend: Backend;
  readonly url: string;
  readonly port: number;
  readonly adminToken: string;
  readonly workerToken: string;
  readonly dataDir: string;
  /** Set on the mysql backend. */
  readonly database?: string;
  readonly redisPrefix?: string;
  readonly process: TestProcess;
  /** REST client with the admin token. */
  readonly api: ApiClient;
  /** SIGTERM (then SIGKILL), drop the database and Redis keys it owns, remove its temp dir. */
  stop(): Promise<void>;
}

export async function startServer(opts: StartServerOptions): Promise<TestServer> {
  // `cronfleet server`, as people start it: the CLI package running the server package's command.
  const bin = CLI_BIN;
  if (!existsSync(join(repoRoot, 'cli/dist/main.js')) || !existsSync(join(repoRoot, 'apiserver/dist/server-cli.js'))) throw new Error('the CLI or the API server is not built: run npm run build');
  const shared = opts.sharedWith;
  if (shared && shared.backend !== opts.backend) throw new Error('sharedWith must use the same backend');

  // The server creates its database itself; checking that MariaDB and Redis answer first makes a
  // machine without them fail here, saying so, rather than with a server that never gets ready.
  if (opts.backend === 'mysql') await checkBackends();

  const port = opts.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'cronfleet-e2e-'));
  const adminToken = shared?.adminToken ?? `admin-${randomId(16)}`;
  const workerToken = shared?.workerToken ?? `worker-${randomId(16)}`;
  const owns = !shared;
  let database: string | undefined;
  let redisPrefix: string | undefined;
  const env: Record<string, string> = {
    CRONFLEET_PORT: String(port),
    CRONFLEET_HOST: '127.0.0.1',
    CRONFLEET_DATA_DIR: dataDir,
    CRONFLEET_ADMIN_TOKEN: adminToken,
    CRONFLEET_WORKER_TOKEN: workerToken,
  };
  if (opts.backend === 'mysql') {
    database = shared?.database ?? `cronfleet_e2e_${randomId()}`;
    redisPrefix = shared?.redisPrefix ?? `cronfleet-e2e-${randomId()}:`;
    env.CRONFLEET_DB = `${MYSQL_URL}/${database}`;
    env.CRONFLEET_REDIS = REDIS_URL;
    env.CRONFLEET_REDIS_PREFIX = redisPrefix;
  }
  Object.assign(env, opts.env);

  const args = [bin, 'server', ...(opts.localWorker ? ['--local-worker'] : [])];
  const proc = new TestProcess(`server:${port}`, args, { cwd: dataDir, env: childEnv(env) });
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    await proc.stop().catch((e: unknown) => errors.push(e));
    if (owns && database) await dropDatabase(database).catch((e: unknown) => errors.push(e));
    if (owns && redisPrefix) await deleteRedisKeys(redisPrefix).catch((e: unknown) => errors.push(e));
    await rm(dataDir, { recursive: true, force: true }).catch((e: unknown) => errors.push(e));
    if (errors.length) throw new AggregateError(errors, `teardown of server ${url} failed`);
  };

  try {
    await waitFor(
      async () => {
        if (proc.exited) throw new GiveUp(`the server exited before it was ready (${proc.exitDescription()})`);
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        return res.status === 200;
      },
      { timeoutMs: HEALTHZ_TIMEOUT_MS, intervalMs: 100, what: `${url}/healthz to answer 200`, details: () => proc.report() },
    );
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }

  const api = new ApiClient(url, adminToken);
  return { backend: opts.backend, url, port, adminToken, workerToken, dataDir, database, redisPrefix, process: proc, api, stop };
}

export interface StartWorkerOptions {
  /** Default 4. */
  capacity?: number;
  /** Default: the server's worker token. */
  token?: string;
  labels?: Record<string, string>;
  /** Where it keeps results not yet delivered; default a directory under the server's temp dir. */
  stateDir?: string;
  /** More command-line options. */
  extraArgs?: string[];
  /** Extra environment (e.g. OTEL_* for tracing). */
  env?: Record<string, string>;
}

/** Starts a worker process connected to `server`; it is ready once GET /workers lists it online. */
export function startWorker(server: TestServer, name: string, opts: StartWorkerOptions = {}): TestProcess {
  const bin = join(repoRoot, 'worker/bin/cronfleet-worker.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: is the worker written and built (npm run build)?`);
  const args = [
    bin,
    '--server', server.url,
    '--token', opts.token ?? server.workerToken,
    '--name', name,
    '--capacity', String(opts.capacity ?? 4),
    '--state-dir', opts.stateDir ?? join(server.dataDir, `worker-state-${name}`),
    // Teardown stops workers with SIGTERM: a task still running then gets 5 s, not the default wait for ever.
    '--shutdown-grace', '5',
    ...(opts.labels ? ['--labels', Object.entries(opts.labels).map(([k, v]) => `${k}=${v}`).join(',')] : []),
    ...(opts.extraArgs ?? []),
  ];
  // Tasks without a cwd of their own run in the worker's directory: the server's temp dir, removed at teardown.
  return new TestProcess(`worker:${name}`, args, { cwd: server.dataDir, env: childEnv(opts.env ?? {}) });
}

async function checkBackends(): Promise<void> {
  try {
    const conn = await mysqlAdmin();
    await conn.end();
  } catch (e) {
    throw new Error(`MariaDB at ${MYSQL_URL} does not answer (${e instanceof Error ? e.message : String(e)}); .ci/run starts it`);
  }
  const redis = newRedis();
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${e instanceof Error ? e.message : String(e)}); .ci/run starts it`);
  } finally {
    redis.disconnect();
  }
}

function newRedis(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

function mysqlAdmin(): Promise<Connection> {
  return createConnection({ uri: MYSQL_URL, connectTimeout: 5000 });
}

async function dropDatabase(name: string): Promise<void> {
  if (!/^cronfleet_e2e_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop database '${name}'`);
  const conn = await mysqlAdmin();
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  if (!/^cronfleet-e2e-[0-9a-f]+:$/.test(prefix)) throw new Error(`refusing to delete Redis keys under '${prefix}'`);
  const redis = newRedis();
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The leak guard, for the end of a test file: every server and worker this file spawned has
 * exited, none of them needed SIGKILL, and no process mentioning {@link RUN_ID} (a task's command
 * line) is still alive. Leftover task processes are killed after being reported.
 */
export function assertNoLeakedProcesses(): void {
  const problems: string[] = [];
  for (const p of spawned) {
    if (!p.exited) problems.push(`${p.label} (pid ${p.pid}) is still running`);
    else if (p.forcedKill) problems.push(`${p.label} ignored SIGTERM for ${STOP_GRACE_MS} ms and was killed\n${p.report(4000)}`);
    // Each process is judged once, by the guard of the suite that started it.
    if (p.exited) spawned.delete(p);
  }
  const left = liveProcessesMentioning(RUN_ID);
  if (left.length) {
    problems.push(`task processes left behind:\n${describeProcesses(left)}`);
    // Reported above; end them too, so they cannot disturb the test files after this one.
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (problems.length) throw new Error(`leak guard:\n${problems.join('\n')}`);
}
