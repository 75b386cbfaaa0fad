// The references, each its own process beside the server under test: the bare node:http server and
// the BullMQ client. Both stopped at cleanup whatever happens; BullMQ's keys deleted after each window.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { REDIS_URL, newRedisPrefix } from '../dispatch/backend';
import { onCleanup } from '../dispatch/cleanup';
import type { BullmqCommand } from './bullmq-client';
import type { LoadSample } from './http-load';

const STOP_GRACE_MS = 5000;

/** A `node <script>` child speaking in lines on stdout; SIGTERM, then SIGKILL, at cleanup. */
class LineChild {
  private readonly child: ChildProcess;
  private readonly lines: Interface;
  private readonly queued: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private stderr = '';
  private readonly exited: Promise<void>;
  readonly stop: () => Promise<void>;

  constructor(script: string, args: string[], what: string) {
    this.child = spawn(process.execPath, [join(__dirname, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout! });
    this.lines.on('line', (l) => (this.waiting ? this.waiting(l) : this.queued.push(l)));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
    this.stop = onCleanup(`stopping ${what} pid ${this.child.pid}`, () => this.stopNow());
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The next line it prints; rejects if it exits first. */
  nextLine(): Promise<string> {
    const line = this.queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      void this.exited.then(() => {
        this.waiting = null;
        reject(new Error(`exited (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr.trim() || 'no output'}`));
      });
      this.waiting = (l) => {
        this.waiting = null;
        resolve(l);
      };
    });
  }

  private async stopNow(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    this.child.kill('SIGTERM');
    if (await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS, false)])) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The bare node:http server (bare-server.ts). */
export class BareServer {
  private constructor(
    private readonly child: LineChild,
    readonly url: string,
  ) {}

  static async start(): Promise<BareServer> {
    const child = new LineChild('bare-server.js', [], 'the bare node:http server');
    const port = Number(await child.nextLine());
    return new BareServer(child, `http://127.0.0.1:${port}`);
  }

  get pid(): number {
    return this.child.pid;
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** The BullMQ client (bullmq-client.ts) on the bench's Redis. */
export class BullmqClient {
  private constructor(private readonly child: LineChild) {}

  static start(): BullmqClient {
    return new BullmqClient(new LineChild('bullmq-client.js', [REDIS_URL], 'the BullMQ client'));
  }

  get pid(): number {
    return this.child.pid;
  }

  /**
   * One window of `op` on a queue under a fresh key prefix; the keys it wrote are deleted right after
   * (outside the window), so the shared Redis does not fill up over the rounds.
   */
  async run(op: BullmqCommand['op'], inFlight: number, seconds: number, batch: number): Promise<LoadSample> {
    const keys = newRedisPrefix();
    try {
      const command: BullmqCommand = { op, prefix: keys.name, inFlight, ms: seconds * 1000, batch };
      this.child.send(JSON.stringify(command));
      return JSON.parse(await this.child.nextLine()) as LoadSample;
    } finally {
      await keys.release();
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
