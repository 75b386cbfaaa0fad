// The server under test: the real `cronfleet-server` process on MariaDB + Redis, its log lines
// timestamped as they arrive, its readiness, its leader take-over line, and its memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup';
import { statusBytes } from './procfs';

const STOP_GRACE_MS = 30_000;
const LOG_LIMIT = 5000;

export interface ServerEnv {
  repoRoot: string;
  mysqlUrl: string;
  database: string;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  dataDir: string;
  adminToken: string;
  workerToken: string;
  /** The embedded default instead: SQLite in dataDir, the in-process lock; no MariaDB or Redis. */
  embedded?: boolean;
}

/** One line of the server's stdout or stderr, with when it arrived (ms after spawn). */
export interface LogLine {
  atMs: number;
  text: string;
}

/** What the dispatcher says when it takes the lease: `leading (epoch N): X job(s), …, loaded in T ms`. */
export interface LeadingLine {
  /** When the line arrived, ms after spawn. */
  atMs: number;
  jobs: number | null;
  timers: number | null;
  pending: number | null;
  /** The server's own measure of load + heapify. */
  loadedMs: number | null;
  text: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

export class ServerProcess {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  readonly url: string;
  readonly lines: LogLine[] = [];
  /** Warnings and errors logged so far, alike ones (digits as N) counted together. */
  private readonly problems = new Map<string, number>();
  private partial = '';
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<void>;
  private readonly unregister: () => Promise<void>;
  private graceful = true;

  constructor(
    readonly env: ServerEnv,
    nodeArgs: readonly string[] = [],
    private readonly echo = false,
  ) {
    const childEnv: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRONFLEET_') && k !== 'NODE_OPTIONS') childEnv[k] = v;
    if (!env.embedded) Object.assign(childEnv, { CRONFLEET_DB: `${env.mysqlUrl}/${env.database}`, CRONFLEET_REDIS: env.redisUrl, CRONFLEET_REDIS_PREFIX: env.redisPrefix });
    Object.assign(childEnv, {
      CRONFLEET_PORT: String(env.port),
      CRONFLEET_HOST: '127.0.0.1',
      CRONFLEET_DATA_DIR: env.dataDir,
      CRONFLEET_ADMIN_TOKEN: env.adminToken,
      CRONFLEET_WORKER_TOKEN: env.workerToken,
    });
    this.url = `http://127.0.0.1:${env.port}`;
    this.spawnedAt = Date.now();
    this.child = spawn(process.execPath, [...nodeArgs, 'apiserver/bin/cronfleet-server.js'], {
      cwd: env.repoRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (b: Buffer) => this.capture(b));
    this.child.stderr!.on('data', (b: Buffer) => this.capture(b));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.notify();
        resolve();
      });
      this.child.once('error', (e) => {
        this.lines.push({ atMs: Date.now() - this.spawnedAt, text: `[spawn error] ${e.message}` });
        resolve();
      });
    });
    this.unregister = onCleanup(`stopping server pid ${this.child.pid}`, () => this.stopNow());
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private capture(chunk: Buffer): void {
    const now = Date.now() - this.spawnedAt;
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop()!;
    for (const raw of parts) {
      const text = raw.replace(ANSI, '').trimEnd();
      if (!text) continue;
      this.lines.push({ atMs: now, text });
      const problem = /\b(WARN|ERROR)\s+(.*)$/.exec(text);
      if (problem) {
        const key = `${problem[1]} ${problem[2]}`.replace(/\d+/g, 'N').slice(0, 200);
        this.problems.set(key, (this.problems.get(key) ?? 0) + 1);
      }
      if (this.echo) process.stderr.write(`  [server +${now} ms] ${text}\n`);
    }
    if (this.lines.length > LOG_LIMIT) this.lines.splice(0, this.lines.length - LOG_LIMIT);
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The most frequent warnings and errors of the server's log. */
  warnings(top = 5): { text: string; count: number }[] {
    return [...this.problems].map(([text, count]) => ({ text, count })).sort((a, b) => b.count - a.count).slice(0, top);
  }

  /** The last lines of output, for an error message. */
  tail(n = 30): string {
    return this.lines.slice(-n).map((l) => `  +${l.atMs} ms ${l.text}`).join('\n');
  }

  /** Resolves with the first log line matching `re`; rejects if the server exits or time runs out. */
  waitForLine(re: RegExp, timeoutMs: number, what: string): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.lines.find((l) => re.test(l.text));
        if (hit) return done(() => resolve(hit));
        if (this.hasExited) return done(() => reject(new Error(`server exited (${this.exitDescription()}) before ${what}\n${this.tail()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms\n${this.tail()}`))), timeoutMs);
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the dispatcher's take-over line and parses it. */
  async waitForLeading(timeoutMs: number): Promise<LeadingLine> {
    const line = await this.waitForLine(/leading \(epoch \d+/, timeoutMs, 'leading (epoch …) line');
    const num = (re: RegExp): number | null => {
      const m = re.exec(line.text);
      return m ? Number(m[1]) : null;
    };
    return {
      atMs: line.atMs,
      jobs: num(/(\d+) job\(s\)/),
      timers: num(/(\d+) timer\(s\)/),
      pending: num(/(\d+) pending task\(s\)/),
      loadedMs: num(/loaded in (\d+) ?ms/),
      text: line.text.replace(/^.*?(leading \(epoch)/, '$1'),
    };
  }

  /** Polls GET /healthz until 200; returns ms after spawn. */
  async waitForHealthy(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.hasExited) throw new Error(`server exited (${this.exitDescription()}) before /healthz answered\n${this.tail()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return Date.now() - this.spawnedAt;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within ${timeoutMs} ms\n${this.tail()}`);
      await sleep(50);
    }
  }

  exitDescription(): string {
    if (!this.hasExited) return 'running';
    return this.child.signalCode ? `killed by ${this.child.signalCode}` : `exit code ${this.child.exitCode}`;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. Returns true if it stopped by itself. */
  async stop(): Promise<boolean> {
    await this.unregister();
    return this.graceful;
  }

  private async stopNow(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
    if (stopped) return;
    this.graceful = false;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Samples a process's VmRSS every `intervalMs` until stopped; keeps the peak. */
export class RssSampler {
  peakBytes = 0;
  samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const rss = statusBytes(this.pid, 'VmRSS');
    if (rss === null) return;
    this.samples++;
    if (rss > this.peakBytes) this.peakBytes = rss;
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakBytes;
  }
}
