/**
 * `npm run bench:dispatch` — the dispatcher against the real server process on MariaDB + Redis.
 *
 * Usage: node build/bench/dispatch.bench.js [--only start|delayed|lag] [--jobs N] [--starts K] [--rates 1000,10000]
 *          [--workers W] [--warmup S] [--measure S] [--server-node-args="..."] [--verbose] [--write]
 *   --only      run one scenario (default both).
 *   --jobs      enabled jobs for the start scenario (default 1000000).
 *   --starts    server starts measured on the same data (default 3).
 *   --rates     due times per second for the lag scenario (default 1000,10000).
 *   --workers   fake workers (default 4); --warmup / --measure: seconds (default 5 / 30).
 *   --server-node-args="…"  node options for the server under test (note the =), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 *               or "--max-old-space-size=2048" (default none: Node's default heap limit).
 *   --write     also replaces the "## Dispatch" section of docs/benchmarks.md.
 *
 * Start: 1M enabled jobs written straight into MariaDB, then spawn → the dispatcher's `leading (…)`
 * line, the server's own `loaded in`, and peak RSS. Lag: N jobs `@every 1s`, fake workers in this
 * process, due time → `task:run` received, p50/p90/p99/max, duplicates, CPU. See bench/dispatch/.
 * Needs MariaDB on 127.0.0.1:3306 (root, no password) and Redis on 127.0.0.1:6379
 * (CRONFLEET_BENCH_MYSQL / CRONFLEET_BENCH_REDIS point elsewhere), and a built server (npm run build).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MYSQL_URL, REDIS_URL, databaseVersion } from './dispatch/backend';
import { cleanupAll, cleanupOnSignals } from './dispatch/cleanup';
import { writeDocSection } from './dispatch/doc-section';
import { benchCommand, describeBuild, findRepoRoot, log, positiveInt, runBench, type BenchSetup } from './dispatch/harness';
import { runLagScenario, type LagResult } from './dispatch/lag-scenario';
import { busyProcesses, machineInfo } from './dispatch/procfs';
import { DOC_HEADING, renderReport } from './dispatch/report';
import { runStartScenario, type StartResult } from './dispatch/start-scenario';
import { runDelayedScenario, type DelayedResult } from './dispatch/delayed-scenario';

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      jobs: { type: 'string', default: '1000000' },
      starts: { type: 'string', default: '3' },
      rates: { type: 'string', default: '1000,10000' },
      workers: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '5' },
      measure: { type: 'string', default: '30' },
      'server-node-args': { type: 'string', default: '' },
      verbose: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && !['start', 'lag', 'delayed'].includes(values.only)) throw new Error(`--only ${values.only}: expected start, lag or delayed`);
  return {
    only: values.only as 'start' | 'lag' | 'delayed' | undefined,
    jobs: positiveInt('jobs', values.jobs),
    starts: positiveInt('starts', values.starts),
    rates: values.rates.split(',').map((r) => positiveInt('rates', r.trim())),
    workers: positiveInt('workers', values.workers),
    warmupS: positiveInt('warmup', values.warmup),
    measureS: positiveInt('measure', values.measure),
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
    verbose: values.verbose,
    write: values.write,
  };
}

async function checkBackends(): Promise<string> {
  let version: string;
  try {
    version = await databaseVersion();
  } catch (e) {
    throw new Error(`MariaDB at ${MYSQL_URL} does not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis at ${REDIS_URL} does not answer: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    redis.disconnect();
  }
  return version;
}

/** When the server's newest .js in dist/ was written. */
function serverBuiltAt(repoRoot: string): string {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.js') ? statSync(join(dir, e.name)).mtimeMs : 0,
      ),
    );
  return new Date(newest(join(repoRoot, 'apiserver/dist'))).toISOString().slice(0, 16).replace('T', ' ');
}

async function main(): Promise<void> {
  const opts = options();
  cleanupOnSignals();
  const setup: BenchSetup = { repoRoot: findRepoRoot(__dirname), serverNodeArgs: opts.serverNodeArgs, verbose: opts.verbose };
  if (!existsSync(join(setup.repoRoot, 'apiserver/dist/server-cli.js'))) throw new Error('the server is not built: run `npm run build` first');
  const mariadb = await checkBackends();
  const machine = machineInfo();
  const serverVersion = describeBuild(setup.repoRoot, ['apiserver', 'shared'], serverBuiltAt(setup.repoRoot));
  const busyBefore = await busyProcesses(2000);
  log(`load average ${machine.loadAverage}; busy: ${busyBefore.join(', ') || 'nothing'}`);

  let start: StartResult | undefined;
  let delayed: DelayedResult | undefined;
  const lag: LagResult[] = [];
  try {
    if (opts.only === undefined || opts.only === 'start') start = await runStartScenario(setup, opts.jobs, opts.starts);
    if (opts.only === undefined || opts.only === 'delayed') delayed = await runDelayedScenario(setup, 100_000);
    if (opts.only === undefined || opts.only === 'lag') {
      for (const rate of opts.rates) lag.push(await runLagScenario(setup, { rate, workers: opts.workers, warmupS: opts.warmupS, measureS: opts.measureS }));
    }
  } finally {
    await cleanupAll();
  }

  const report = renderReport({
    machine,
    mariadb,
    busyBefore,
    command: benchCommand('bench:dispatch'),
    serverNodeArgs: opts.serverNodeArgs,
    serverVersion,
    start,
    delayed,
    lag,
  });
  process.stdout.write(`${report}\n`);
  if (opts.write) {
    const file = join(setup.repoRoot, 'docs/benchmarks.md');
    writeDocSection(file, DOC_HEADING, report);
    log(`wrote the Dispatch section of ${file}`);
  }
}

runBench('bench:dispatch', main);
