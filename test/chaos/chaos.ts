// The chaos suite (`npm run test:chaos`, `-- --short` for CI): three API servers and four workers
// as real processes on a private MariaDB and Redis, 200 cron jobs firing every 1-5 s, while the
// fault driver kills the leader, kills and freezes workers, cuts a worker's link and restarts Redis
// and MariaDB. Afterwards it checks from the database, the workers' logs and an execution ledger
// that every due time ran exactly once or was skipped by policy, nothing is stuck and no result was
// lost; prints the counts and exits 1 on any violation (2 when the run could not be set up).
//
// Options: --short (a ~60-90 s run for CI), --seconds N (the chaos period; default
// $CRONFLEET_CHAOS_SECONDS or 300), --jobs N (200), --seed N (random, printed), --keep (keep the run
// directory with every log even when the run passes), --faults a,b (only these fault kinds).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../support/seeded-random';
import { FAULT_KINDS, type FaultKind } from './fault-driver';
import { haveProgram, PrivateMariaDb, PrivateRedis } from './private-backends';

const SHORT_SECONDS = 45;
const DEFAULT_SECONDS = 300;
const HEARTBEAT_SECONDS = 1;
/** Setup, the end of the run and teardown may take this much beyond the chaos period before the run is aborted. */
const OVERHEAD_BOUND_S = 240;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      jobs: { type: 'string', default: '200' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      faults: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds ?? (values.short ? SHORT_SECONDS : (process.env.CRONFLEET_CHAOS_SECONDS ?? DEFAULT_SECONDS)));
  const jobCount = Number(values.jobs);
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const faults = values.faults?.split(',').map((f) => f.trim()) as FaultKind[] | undefined;
  if (!(seconds > 0 && Number.isInteger(jobCount) && jobCount > 0 && Number.isInteger(seed)) || faults?.some((f) => !FAULT_KINDS.includes(f))) {
    console.error(`usage: chaos [--short] [--seconds N] [--jobs N] [--seed N] [--keep] [--faults ${FAULT_KINDS.join(',')}]`);
    return 2;
  }
  const runDir = mkdtempSync(join(tmpdir(), 'cronfleet-chaos-'));
  const t0 = Date.now();
  const log = (line: string): void => console.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  log(`${seconds} s of faults, ${jobCount} jobs, seed ${seed}; logs in ${runDir}`);

  // Our own Redis and MariaDB, so restarting them disturbs no one; without the programs, the shared
  // ones (which must never be restarted) and those faults are skipped.
  const redis = haveProgram('redis-server') ? await PrivateRedis.create(runDir) : null;
  const mariadb = haveProgram('mariadbd') && haveProgram('mariadb-install-db') ? await PrivateMariaDb.create(runDir) : null;
  const abort = setTimeout(() => {
    console.error(`chaos: the run took longer than ${seconds + OVERHEAD_BOUND_S} s; aborting (logs in ${runDir})`);
    // Servers and workers are killed by the e2e helpers' exit hook; our Redis and MariaDB here.
    redis?.killNow();
    mariadb?.killNow();
    process.exit(2);
  }, (seconds + OVERHEAD_BOUND_S) * 1000);
  abort.unref();
  await redis?.start();
  await mariadb?.start(60_000);
  // Read by the e2e helpers when they are loaded (below): every server of the run uses these.
  if (redis) process.env.CRONFLEET_TEST_REDIS = redis.url;
  if (mariadb) process.env.CRONFLEET_TEST_MYSQL = mariadb.url;
  const mysqlUrl = mariadb?.url ?? process.env.CRONFLEET_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';
  const { runChaos } = require('./chaos-run') as typeof import('./chaos-run');
  let passed = false;
  try {
    passed = await runChaos({ runDir, seconds, jobCount, rand: mulberry32(seed), seed, redis, mariadb, mysqlUrl, heartbeatSeconds: HEARTBEAT_SECONDS, faults, log });
  } finally {
    await redis?.stop();
    await mariadb?.stop();
    if (passed && !values.keep) rmSync(runDir, { recursive: true, force: true });
    else if (existsSync(runDir)) log(`logs kept in ${runDir}`);
  }
  log(passed ? 'PASSED' : 'FAILED');
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  },
);

