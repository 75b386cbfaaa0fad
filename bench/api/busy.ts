// The busy phase: the same server, started again with 1,000 http jobs `@every 1s` (a local HTTP
// target, real worker processes, as bench:e2e), so its requests are measured while it dispatches
// 1,000 due tasks a second.
import { join } from 'node:path';
import { log, sleepUntil, spawnServer, type BenchSetup } from '../dispatch/harness';
import type { ServerEnv, ServerProcess } from '../dispatch/server-process';
import { HttpTarget, WorkerProcess, waitForWorkers } from '../e2e/fleet';
import { insertEverySecondJobs } from '../e2e/seed';

/** Seeding to the first due time: enough for the server's start and the workers' hello. */
const LEAD_MS = 30_000;
/** Dispatching before the first window, so the rate is steady. */
const WARMUP_MS = 5000;

export interface BusyOptions {
  /** Due tasks a second (= jobs `@every 1s`). */
  rate: number;
  workers: number;
  /** Tasks each worker runs at once. */
  capacity: number;
}

export class BusyPhase {
  private constructor(
    readonly server: ServerProcess,
    private readonly target: HttpTarget,
    private readonly workers: WorkerProcess[],
  ) {}

  /** Seeds the jobs into the stopped server's database, then starts it, the target and the workers. */
  static async start(setup: BenchSetup, env: ServerEnv, nodeArgs: string[], o: BusyOptions): Promise<BusyPhase> {
    const target = await HttpTarget.start();
    const firstDueMs = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    await insertEverySecondJobs(env.database, o.rate, firstDueMs, { runner: 'http', spec: { url: target.url, method: 'GET' } }, true, 'busy-');
    const server = await spawnServer(setup, env, nodeArgs);
    await server.waitForLeading(120_000);
    await server.waitForHealthy(120_000);
    const workers = Array.from({ length: o.workers }, (_, i) => new WorkerProcess(setup.repoRoot, server, `bench-w${i + 1}`, o.capacity, join(env.dataDir, `w${i + 1}`)));
    await waitForWorkers(server, workers, 60_000);
    log(`busy: ${o.rate} http jobs @every 1s, ${o.workers} workers online ${firstDueMs - Date.now()} ms before the first due time`);
    await sleepUntil(firstDueMs + WARMUP_MS);
    return new BusyPhase(server, target, workers);
  }

  /** Requests the HTTP target has answered so far: one per http task run. */
  get tasksRun(): number {
    return this.target.requests;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    await this.server.stop();
    await this.target.close();
  }
}

