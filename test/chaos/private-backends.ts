// The chaos run's own Redis and MariaDB: child processes on free ports, so the driver can SIGKILL
// and restart them without touching the machine's shared instances, which other tests use.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { freePort } from '../support/local-host';

/** True when `program` is on the PATH (or is a path that exists and runs). */
export function haveProgram(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * A server program run as a child, its output appended to a log file. `kill()` is SIGKILL (a crash,
 * not a shutdown); `start()` runs it again on the same port and data.
 */
abstract class PrivateService {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  /** How many times it was SIGKILLed and started again. */
  restarts = 0;

  protected constructor(
    readonly name: string,
    readonly port: number,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  protected abstract command(): [string, string[]];
  /** Resolves once the service answers; throws after `timeoutMs`. */
  protected abstract ping(): Promise<void>;

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 20_000): Promise<void> {
    const [cmd, args] = this.command();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    const started = Date.now();
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited at start (${child.exitCode ?? child.signalCode}); see its log`);
      try {
        await this.ping();
        return;
      } catch (e) {
        if (Date.now() - started > timeoutMs) throw new Error(`${this.name} did not answer within ${timeoutMs} ms: ${(e as Error).message}`);
        await sleep(100);
      }
    }
  }

  /** SIGKILL, and wait until the process is gone (its port is then free for the restart). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGKILL without waiting, for an exit path that cannot wait. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  async crashAndRestart(downMs: number): Promise<void> {
    await this.kill();
    await sleep(downMs);
    await this.start();
    this.restarts++;
  }

  /** SIGTERM (a clean shutdown), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    }
    this.log.end();
  }
}

/** redis-server with no persistence: a restart loses every key (the lease, its epoch counter). */
export class PrivateRedis extends PrivateService {
  static async create(dir: string): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort(), dir);
  }

  private constructor(port: number, private readonly dir: string) {
    super('redis', port, join(dir, 'redis.log'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected command(): [string, string[]] {
    return ['redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir]];
  }

  protected async ping(): Promise<void> {
    const r = new Redis(this.url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // connect() rejects with the same error
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  }
}

/**
 * mariadbd on its own data directory (made with mariadb-install-db), root without a password and
 * no grant tables. A SIGKILL loses no committed transaction: InnoDB's log is written to the OS at
 * every commit (innodb_flush_log_at_trx_commit=2), and the OS keeps it when only the process dies.
 */
export class PrivateMariaDb extends PrivateService {
  static async create(dir: string): Promise<PrivateMariaDb> {
    const dataDir = join(dir, 'mariadb');
    mkdirSync(dataDir, { recursive: true });
    const r = spawnSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`mariadb-install-db failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
    return new PrivateMariaDb(await freePort(), dir, dataDir);
  }

  private constructor(
    port: number,
    private readonly dir: string,
    private readonly dataDir: string,
  ) {
    super('mariadb', port, join(dir, 'mariadb.log'));
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  protected command(): [string, string[]] {
    return [
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        '--user=root',
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        '--skip-grant-tables',
        '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=128M',
        '--innodb-flush-log-at-trx-commit=2',
        '--max-connections=500',
      ],
    ];
  }

  protected async ping(): Promise<void> {
    const c = await createConnection({ uri: this.url, connectTimeout: 1000 });
    try {
      await c.query('SELECT 1');
    } finally {
      await c.end();
    }
  }
}
