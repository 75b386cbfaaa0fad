// Three API servers and four workers as real processes, each in a fixed slot (a server keeps its
// port across restarts, a worker its name and result spool), with every line they print appended to
// a log file per slot: the workers' logs are evidence the verifier reads after the run.
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomId, startServer, startWorker, waitFor, type TestProcess, type TestServer, type WorkerInfo } from '../e2e/helpers';
import { CuttableProxy } from './tcp-proxy';

export interface SchedulerStatus {
  leader: string | null;
  instanceId: string;
  isLeader: boolean;
  epoch: number | null;
}

export interface FleetOptions {
  runDir: string;
  servers: number;
  workers: number;
  workerCapacity: number;
  /** Server environment: lease, heartbeat and ack timeouts. */
  env: Record<string, string>;
}

interface ServerSlot {
  port: number;
  server: TestServer | null;
  log: WriteStream;
}

interface WorkerSlot {
  name: string;
  /** Where the worker connects: a server's port, or the cuttable proxy in front of one. */
  url: string;
  proc: TestProcess | null;
  log: WriteStream;
  logFile: string;
  stateDir: string;
}

const STATUS_TIMEOUT_MS = 2000;

export class ChaosFleet {
  readonly servers: ServerSlot[] = [];
  readonly workers: WorkerSlot[] = [];
  /** The first server: its database, Redis prefix and tokens are the whole fleet's. Stopped last. */
  private first!: TestServer;
  proxy!: CuttableProxy;
  /** Pids the fault driver SIGKILLed: any other exit during the run is a crash. */
  private readonly killedByDriver = new Set<number>();

  constructor(private readonly opts: FleetOptions) {}

  /** Starts the servers (the first one leading) and the workers, the last one behind the proxy. */
  async start(): Promise<void> {
    for (let i = 0; i < this.opts.servers; i++) {
      const log = createWriteStream(join(this.opts.runDir, `server-${i}.log`), { flags: 'a' });
      const server = await startServer({ backend: 'mysql', env: this.opts.env, ...(i > 0 ? { sharedWith: this.first } : {}) });
      if (i === 0) this.first = server;
      this.servers.push({ port: server.port, server, log });
      this.tee(server.process, log);
      if (i === 0) await waitFor(async () => (await this.status(0))?.isLeader, { timeoutMs: 20_000, what: 'the first server to lead' });
    }
    this.proxy = await CuttableProxy.start(this.servers[1 % this.servers.length].port);
    const suffix = randomId(3);
    for (let i = 0; i < this.opts.workers; i++) {
      const behindProxy = i === this.opts.workers - 1;
      const logFile = join(this.opts.runDir, `worker-${i}.log`);
      this.workers.push({
        name: `chaos-w${i}-${suffix}`,
        url: behindProxy ? this.proxy.url : `http://127.0.0.1:${this.servers[i % this.servers.length].port}`,
        proc: null,
        log: createWriteStream(logFile, { flags: 'a' }),
        logFile,
        stateDir: join(this.opts.runDir, `state-w${i}`),
      });
      this.startWorker(i);
    }
    await this.waitForWorkersOnline(30_000);
  }

  get database(): string {
    return this.first.database!;
  }

  /** A live server's REST client; the lowest slot that is up. */
  api(): TestServer['api'] {
    const s = this.servers.find((x) => x.server && !x.server.process.exited)?.server;
    if (!s) throw new Error('no API server is up');
    return s.api;
  }

  liveServers(): number[] {
    return this.servers.flatMap((s, i) => (s.server && !s.server.process.exited ? [i] : []));
  }

  /** GET /scheduler of slot `i`, or null when it does not answer. */
  async status(i: number): Promise<SchedulerStatus | null> {
    const s = this.servers[i].server;
    if (!s || s.process.exited) return null;
    try {
      const res = await fetch(`${s.url}/api/v1/scheduler`, { headers: { authorization: `Bearer ${s.adminToken}` }, signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
      return res.ok ? ((await res.json()) as SchedulerStatus) : null;
    } catch {
      return null;
    }
  }

  /** The slot whose server says it leads, asking every live server. */
  async leaderSlot(): Promise<number | null> {
    const all = await Promise.all(this.servers.map((_, i) => this.status(i)));
    const i = all.findIndex((s) => s?.isLeader);
    return i < 0 ? null : i;
  }

  killServer(i: number): void {
    const proc = this.servers[i].server?.process;
    if (proc?.pid) this.killedByDriver.add(proc.pid);
    proc?.child.kill('SIGKILL');
  }

  /**
   * Servers and workers that exited although the driver did not kill them (a crash), each started
   * again; returns what each one's log said last, for the report.
   */
  async reviveCrashed(): Promise<string[]> {
    const crashes: string[] = [];
    for (const [i, s] of this.servers.entries()) {
      const proc = s.server?.process;
      if (!proc?.exited || this.killedByDriver.has(proc.pid!)) continue;
      crashes.push(`server ${i} (pid ${proc.pid}) exited by itself (${proc.exitDescription()}): ${lastLines(proc.output(3000))}`);
      await this.restartServer(i);
    }
    for (const [i, w] of this.workers.entries()) {
      const proc = w.proc;
      if (!proc?.exited || this.killedByDriver.has(proc.pid!)) continue;
      crashes.push(`worker ${i} (pid ${proc.pid}) exited by itself (${proc.exitDescription()}): ${lastLines(proc.output(3000))}`);
      this.startWorker(i);
    }
    return crashes;
  }

  /** Starts slot `i`'s server again on its port (after a kill); resolves once /healthz answers. */
  async restartServer(i: number): Promise<void> {
    const slot = this.servers[i];
    if (slot.server && !slot.server.process.exited) await slot.server.process.waitForExit(10_000);
    slot.server = await startServer({ backend: 'mysql', sharedWith: this.first, port: slot.port, env: this.opts.env });
    this.tee(slot.server.process, slot.log);
  }

  startWorker(i: number): void {
    const w = this.workers[i];
    const proc = startWorker({ ...this.first, url: w.url }, w.name, { capacity: this.opts.workerCapacity, stateDir: w.stateDir });
    w.proc = proc;
    this.tee(proc, w.log);
  }

  async killWorker(i: number): Promise<void> {
    const proc = this.workers[i].proc;
    if (!proc || proc.exited) return;
    this.killedByDriver.add(proc.pid!);
    proc.child.kill('SIGKILL');
    await proc.waitForExit(10_000);
  }

  signalWorker(i: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.workers[i].proc?.child.kill(signal);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return (await this.api().listWorkers()).items;
  }

  async waitForLeader(timeoutMs: number): Promise<number> {
    return waitFor(async () => (await this.leaderSlot()) ?? false, { timeoutMs, what: 'a leader', intervalMs: 100 });
  }

  async waitForWorkersOnline(timeoutMs: number): Promise<void> {
    const names = new Set(this.workers.map((w) => w.name));
    await waitFor(async () => (await this.listWorkers()).filter((w) => names.has(w.name) && w.status === 'online').length === names.size, {
      timeoutMs,
      what: `all ${names.size} workers online`,
      intervalMs: 250,
    });
  }

  /** After the faults: every server and worker running, none stopped, the link up. */
  async restoreAll(): Promise<void> {
    this.proxy.restore();
    this.workers.forEach((_, i) => this.signalWorker(i, 'SIGCONT'));
    for (let i = 0; i < this.servers.length; i++) {
      const s = this.servers[i].server;
      if (!s || s.process.exited) await this.restartServer(i);
    }
    this.workers.forEach((w, i) => {
      if (!w.proc || w.proc.exited) this.startWorker(i);
    });
  }

  /** Stops workers (SIGTERM, their tasks get 5 s), then servers, the first one last (it drops the database). */
  async stop(): Promise<void> {
    this.workers.forEach((_, i) => this.signalWorker(i, 'SIGCONT'));
    await Promise.all(this.workers.map((w) => w.proc?.stop()));
    for (const s of this.servers.slice(1).reverse()) await s.server?.stop().catch(() => undefined);
    const firstSlot = this.servers[0]?.server;
    if (firstSlot && firstSlot !== this.first) await firstSlot.stop().catch(() => undefined);
    await this.first?.stop().catch(() => undefined);
    await this.proxy?.close();
    await sleep(100);
    for (const s of [...this.servers, ...this.workers]) s.log.end();
  }

  /** Appends everything `proc` prints to `log`, between lines marking when it started and exited. */
  private tee(proc: TestProcess, log: WriteStream): void {
    log.write(`=== ${new Date().toISOString()} ${proc.label} pid ${proc.pid} started ===\n`);
    const write = (chunk: Buffer): void => void log.write(chunk);
    proc.child.stdout?.on('data', write);
    proc.child.stderr?.on('data', write);
    proc.child.once('exit', (code, signal) => log.write(`\n=== ${new Date().toISOString()} ${proc.label} exited (${signal ?? code}) ===\n`));
  }
}

/** The last few lines of a process's output, on one line, for a report. */
function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(-n).join(' ⏎ ').slice(0, 1200);
}
