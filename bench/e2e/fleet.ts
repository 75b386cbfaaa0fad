// The system under test: one real `cronfleet-server` on MariaDB + Redis (bench/dispatch's
// ServerProcess), real `cronfleet-worker` processes, and the local HTTP server http tasks call.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from '../dispatch/cleanup';
import type { ServerProcess } from '../dispatch/server-process';

const STOP_GRACE_MS = 10_000;

/** One `cronfleet-worker` process; stopped (SIGTERM, then SIGKILL) at cleanup whatever happens. */
export class WorkerProcess {
  readonly child: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;
  readonly stop: () => Promise<void>;

  constructor(repoRoot: string, server: ServerProcess, readonly name: string, capacity: number, stateDir: string, nodeArgs: readonly string[] = [], workerArgs: readonly string[] = []) {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRONFLEET_') && k !== 'NODE_OPTIONS') env[k] = v;
    const args = [
      ...nodeArgs,
      join(repoRoot, 'worker/bin/cronfleet-worker.js'),
      '--server', server.url,
      '--token', server.env.workerToken,
      '--name', name,
      '--capacity', String(capacity),
      '--state-dir', stateDir,
      '--shutdown-grace', '5',
      ...workerArgs,
    ];
    this.child = spawn(process.execPath, args, { cwd: server.env.dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => {
      this.output = (this.output + b.toString('utf8')).slice(-20_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
    this.stop = onCleanup(`stopping worker ${name} pid ${this.child.pid}`, () => this.stopNow());
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  tail(lines = 15): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  private async stopNow(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    if (await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS, false)])) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Polls GET /api/v1/workers until `names` are all online. */
export async function waitForWorkers(server: ServerProcess, workers: readonly WorkerProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = workers.find((w) => w.hasExited);
    if (dead) throw new Error(`worker ${dead.name} exited:\n${dead.tail()}`);
    try {
      const res = await fetch(`${server.url}/api/v1/workers`, { headers: { authorization: `Bearer ${server.env.adminToken}` } });
      if (res.ok) {
        const body = (await res.json()) as unknown;
        const list = (Array.isArray(body) ? body : ((body as { items?: unknown[] }).items ?? [])) as { name: string; status?: string; online?: boolean }[];
        const online = new Set(list.filter((w) => w.online !== false && (w.status === undefined || w.status === 'online')).map((w) => w.name));
        if (workers.every((w) => online.has(w.name))) return;
      }
    } catch {
      // the server is still starting
    }
    if (Date.now() > deadline) throw new Error(`workers not online within ${timeoutMs} ms\n${workers.map((w) => `${w.name}: ${w.tail(5)}`).join('\n')}`);
    await sleep(100);
  }
}

/** The target of the http tasks: answers every request `200 ok` with a small body, counting them. */
export class HttpTarget {
  requests = 0;
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<HttpTarget> {
    const server = createServer();
    const target = new HttpTarget(server);
    server.on('request', (req, res) => {
      target.requests++;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
      res.end('ok\n');
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup('closing the HTTP target', () => target.close());
    return target;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ping`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
