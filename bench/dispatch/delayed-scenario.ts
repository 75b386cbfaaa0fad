// What waiting delayed tasks cost the leader: the same server started on an empty database and on
// one holding N pending one-shot tasks due in an hour (the "order-timeout" use case), comparing its
// load time, RSS, and CPU while idle afterwards (the tasks must sit in the heap, not be polled).
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, newBackend, utcDatetime } from './backend';
import { createSchema, log, serverEnv, spawnServer, type BenchSetup } from './harness';
import { cpuSeconds, statusBytes } from './procfs';
import { RssSampler } from './server-process';

const IDLE_MS = 10_000;
const SETTLE_MS = 2000;
const ROWS_PER_STATEMENT = 5000;

export interface DelayedRun {
  tasks: number;
  loadedMs: number | null;
  timers: number | null;
  spawnToLeadingMs: number;
  peakRssBytes: number;
  rssIdleBytes: number | null;
  /** Server CPU while idle for IDLE_MS after start-up, in cores. */
  idleCpuPerS: number | null;
}

export interface DelayedResult {
  seedMs: number;
  runs: DelayedRun[];
}

async function seedDelayedTasks(database: string, count: number, firstAtMs: number): Promise<void> {
  const conn = await connect(database);
  try {
    for (let i = 0; i < count; i += ROWS_PER_STATEMENT) {
      const rows: unknown[][] = [];
      for (let k = i; k < Math.min(count, i + ROWS_PER_STATEMENT); k++) {
        const at = utcDatetime(firstAtMs + k * 10); // 100 due per second, over the following ~17 min
        rows.push([null, null, 'pending', 1, 'api', at, at, 'command', '{"command":"true","args":[],"env":{}}', 0, `order-${k}`]);
      }
      await conn.query('INSERT INTO tasks (cronjob_id, cronjob_name, status, attempt, `trigger`, scheduled_at, run_at, runner, spec, priority, idempotency_key) VALUES ?', [rows]);
    }
  } finally {
    await conn.end();
  }
}

async function measureStart(setup: BenchSetup, tasks: number): Promise<DelayedRun> {
  const backend = newBackend();
  try {
    const env = serverEnv(setup, backend);
    await createSchema(setup, env);
    if (tasks > 0) await seedDelayedTasks(backend.database, tasks, Date.now() + 3_600_000);
    const server = await spawnServer(setup, env);
    const sampler = new RssSampler(server.pid, 100);
    const leading = await server.waitForLeading(120_000);
    await sleep(SETTLE_MS);
    const peakRssBytes = sampler.stop();
    const cpu0 = cpuSeconds(server.pid);
    await sleep(IDLE_MS);
    const cpu1 = cpuSeconds(server.pid);
    const rssIdleBytes = statusBytes(server.pid, 'VmRSS');
    await server.stop();
    return {
      tasks,
      loadedMs: leading.loadedMs,
      timers: leading.timers,
      spawnToLeadingMs: leading.atMs,
      peakRssBytes,
      rssIdleBytes,
      idleCpuPerS: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / (IDLE_MS / 1000) : null,
    };
  } finally {
    await backend.release();
  }
}

export async function runDelayedScenario(setup: BenchSetup, tasks: number): Promise<DelayedResult> {
  log('delayed: baseline start without tasks');
  const empty = await measureStart(setup, 0);
  log(`delayed: start with ${tasks} pending delayed tasks`);
  const seeded = Date.now();
  const loaded = await measureStart(setup, tasks);
  return { seedMs: Date.now() - seeded, runs: [empty, loaded] };
}

export function renderDelayed(r: DelayedResult, int: (n: number) => string): string[] {
  const mib = (b: number | null) => (b === null ? 'n/a' : `${Math.round(b / 2 ** 20)} MiB`);
  const out = [
    `### ${int(r.runs[1].tasks)} pending delayed tasks (POST /tasks with a run time an hour ahead)`,
    '',
    '| pending delayed tasks | timers in the heap | `loaded in` (server) | spawn → `leading` | peak RSS | RSS idle | server CPU while idle (10 s) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const x of r.runs) {
    out.push(
      `| ${int(x.tasks)} | ${x.timers === null ? 'n/a' : int(x.timers)} | ${x.loadedMs ?? 'n/a'} ms | ${(x.spawnToLeadingMs / 1000).toFixed(2)} s | ${mib(x.peakRssBytes)} | ${mib(x.rssIdleBytes)} | ${x.idleCpuPerS === null ? 'n/a' : `${(x.idleCpuPerS * 100).toFixed(1)}% of a core`} |`,
    );
  }
  const [a, b] = r.runs;
  out.push(
    '',
    `The tasks add ${mib(b.peakRssBytes - a.peakRssBytes)} of peak RSS and ${b.loadedMs !== null && a.loadedMs !== null ? b.loadedMs - a.loadedMs : 'n/a'} ms of load time; while they wait, the server's idle CPU stays where it is without them (one timer, no polling). Seeding and both starts took ${(r.seedMs / 1000).toFixed(1)} s.`,
    '',
  );
  return out;
}
