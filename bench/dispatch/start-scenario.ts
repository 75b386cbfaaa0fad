// Leader start with many enabled jobs: seed them straight into MariaDB, then start the real server
// a few times on the same data and time spawn → `leading (…)` line, with the RSS peak meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { countRows, insertJobs, newBackend } from './backend';
import { createSchema, log, serverEnv, spawnServer, type BenchSetup } from './harness';
import { startJobs } from './jobs';
import { cpuSeconds, findDatabasePid, machineBusySeconds, statusBytes } from './procfs';
import { RssSampler, type LeadingLine, type LogLine } from './server-process';

/** Due times start this far after seeding, so nothing comes due during the starts. */
export const START_LEAD_MS = 10 * 60_000;
/** After the leading line, RSS is still sampled this long (the first tick, GC settling). */
const SETTLE_MS = 2000;
const LEADING_TIMEOUT_MS = 10 * 60_000;

export interface StartRun {
  spawnToLeadingMs: number;
  leading: LeadingLine;
  healthyMs: number;
  peakRssBytes: number;
  rssAfterBytes: number | null;
  hwmBytes: number | null;
  cpuSeconds: number | null;
  /** MariaDB's CPU time from spawn to the end of sampling. */
  dbCpuSeconds: number | null;
  /** CPU the rest of the machine used meanwhile (not the server, not MariaDB), in cores: others' load. */
  otherCpuPerS: number;
  stoppedGracefully: boolean;
  stopMs: number;
  /** Server log up to and including the leading line. */
  log: LogLine[];
  warnings: { text: string; count: number }[];
}

export interface StartResult {
  jobs: number;
  seedMs: number;
  rowsInTable: number;
  tasksAfter: number;
  runs: StartRun[];
}

export async function runStartScenario(setup: BenchSetup, jobs: number, starts: number): Promise<StartResult> {
  const backend = newBackend();
  try {
    const env = serverEnv(setup, backend);
    log(`start: creating schema in ${backend.database}`);
    await createSchema(setup, env);

    log(`start: seeding ${jobs} enabled jobs`);
    const seedStarted = Date.now();
    await insertJobs(backend.database, jobs, startJobs(seedStarted, START_LEAD_MS), {
      rowsPerStatement: 5000,
      statementsPerTransaction: 40,
      onProgress: (n) => log(`  ${n} rows, ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`),
    });
    const seedMs = Date.now() - seedStarted;
    const [{ n: rowsInTable }] = await countRows(backend.database, 'SELECT COUNT(*) AS n FROM cronjobs WHERE enabled = 1');
    log(`start: seeded ${rowsInTable} rows in ${(seedMs / 1000).toFixed(1)} s`);

    const runs: StartRun[] = [];
    const dbPid = findDatabasePid();
    for (let k = 1; k <= starts; k++) {
      const machine0 = machineBusySeconds();
      const db0 = dbPid ? cpuSeconds(dbPid) : null;
      const server = await spawnServer(setup, env);
      const sampler = new RssSampler(server.pid, 100);
      const healthy = server.waitForHealthy(LEADING_TIMEOUT_MS);
      healthy.catch(() => undefined);
      let leading: LeadingLine;
      try {
        leading = await server.waitForLeading(LEADING_TIMEOUT_MS);
      } catch (e) {
        sampler.stop();
        throw e;
      }
      const healthyMs = await healthy;
      await sleep(SETTLE_MS);
      const peakRssBytes = sampler.stop();
      const rssAfterBytes = statusBytes(server.pid, 'VmRSS');
      const hwmBytes = statusBytes(server.pid, 'VmHWM');
      const cpu = cpuSeconds(server.pid);
      const db1 = dbPid ? cpuSeconds(dbPid) : null;
      const wallS = (Date.now() - server.spawnedAt) / 1000;
      const dbCpu = db0 !== null && db1 !== null ? db1 - db0 : 0;
      const otherCpuPerS = (machineBusySeconds() - machine0 - (cpu ?? 0) - dbCpu) / wallS;
      const warnings = server.warnings(); // before SIGTERM: stopping logs a warning of its own
      const stopStarted = Date.now();
      const stoppedGracefully = await server.stop();
      const run: StartRun = {
        spawnToLeadingMs: leading.atMs,
        leading,
        healthyMs,
        peakRssBytes,
        rssAfterBytes,
        hwmBytes,
        cpuSeconds: cpu,
        dbCpuSeconds: db0 !== null && db1 !== null ? dbCpu : null,
        otherCpuPerS,
        stoppedGracefully,
        stopMs: Date.now() - stopStarted,
        log: server.lines.filter((l) => l.atMs <= leading.atMs),
        warnings,
      };
      runs.push(run);
      log(
        `start ${k}/${starts}: leading after ${run.spawnToLeadingMs} ms (server: loaded in ${leading.loadedMs} ms, ${leading.jobs} jobs), ` +
          `healthz ${healthyMs} ms, peak RSS ${Math.round(peakRssBytes / 2 ** 20)} MiB, VmHWM ${Math.round((hwmBytes ?? 0) / 2 ** 20)} MiB, stop ${run.stopMs} ms`,
      );
    }
    const [{ n: tasksAfter }] = await countRows(backend.database, 'SELECT COUNT(*) AS n FROM tasks');
    return { jobs, seedMs, rowsInTable: Number(rowsInTable), tasksAfter: Number(tasksAfter), runs };
  } finally {
    await backend.release();
  }
}
