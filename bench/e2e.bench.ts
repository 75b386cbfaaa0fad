/**
 * `npm run bench:e2e` — throughput and scale end to end: one real server on MariaDB + Redis, 4 real
 * worker processes, everything on this machine.
 *
 * Usage: node build/bench/e2e.bench.js [--only http|command|lag|api] [--seconds N] [--warmup N] [--rate N]
 *          [--workers N] [--capacity N] [--rows N] [--concurrency N] [--server-node-args="..."] [--worker-node-args="..."]
 *          [--spawn auto|native|node] [--verbose] [--write]
 *   --only         one scenario (default all four, in this order):
 *                    http     N jobs `@every 1s` GETting a local HTTP server (N = --rate, default 2000)
 *                    command  N jobs `@every 1s` running `true`
 *                    lag      500 jobs `@every 1s` running `true`, then 500 GETting the local server: schedule
 *                             lag at 500 due/s with and without a process to spawn per task
 *                    api      1M task rows, then requests/s for job creation and task listing
 *   --seconds      measured window per load scenario, and per API endpoint (default 20; API: half, at least 5).
 *   --warmup       seconds of load before the window (default 5).
 *   --workers / --capacity   worker processes (default 4) and tasks each runs at once (default 100).
 *   --rows         task rows for the API scenario (default 1000000); --concurrency: its callers (default 16).
 *   --server-node-args="…"   node options for the server (note the =), e.g. "--cpu-prof": profiles land in
 *                  build/bench/e2e-profiles/<scenario>/server/ (open in Chrome DevTools or summarise with
 *                  `node build/bench/e2e/profile-summary.js <file>`). --worker-node-args="…": the same for the workers.
 *   --spawn        how the workers start command tasks: auto (default), native or node (their --spawn).
 *   --write        also replaces the "## End to end" section of docs/benchmarks.md.
 * Needs MariaDB on 127.0.0.1:3306 and Redis on 127.0.0.1:6379 (CRONFLEET_BENCH_MYSQL / CRONFLEET_BENCH_REDIS),
 * and a built server and worker (npm run build). Every process, database and key prefix it makes is
 * removed at the end, on failure and on Ctrl-C.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseVersion } from './dispatch/backend';
import { cleanupAll, cleanupOnSignals } from './dispatch/cleanup';
import { writeDocSection } from './dispatch/doc-section';
import { benchCommand, describeBuild, findRepoRoot, log, positiveInt, runBench, type BenchSetup } from './dispatch/harness';
import { busyProcesses, machineInfo } from './dispatch/procfs';
import { runApiScenario, type ApiResult } from './e2e/api-scenario';
import { runLoadScenario, type LoadResult } from './e2e/load-scenario';
import { DOC_HEADING, renderReport } from './e2e/report';

const SCENARIOS = ['http', 'command', 'lag', 'api'] as const;
type Scenario = (typeof SCENARIOS)[number];

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      rate: { type: 'string', default: '2000' },
      workers: { type: 'string', default: '4' },
      capacity: { type: 'string', default: '100' },
      rows: { type: 'string', default: '1000000' },
      concurrency: { type: 'string', default: '16' },
      'server-node-args': { type: 'string', default: '' },
      'worker-node-args': { type: 'string', default: '' },
      spawn: { type: 'string', default: 'auto' },
      verbose: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && !(SCENARIOS as readonly string[]).includes(values.only)) throw new Error(`--only ${values.only}: expected one of ${SCENARIOS.join(', ')}`);
  return {
    only: values.only as Scenario | undefined,
    seconds: positiveInt('seconds', values.seconds),
    warmup: positiveInt('warmup', values.warmup),
    rate: positiveInt('rate', values.rate),
    workers: positiveInt('workers', values.workers),
    capacity: positiveInt('capacity', values.capacity),
    rows: positiveInt('rows', values.rows),
    concurrency: positiveInt('concurrency', values.concurrency),
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
    workerNodeArgs: values['worker-node-args'].split(/\s+/).filter(Boolean),
    spawn: values.spawn,
    verbose: values.verbose,
    write: values.write,
  };
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const opts = options();
  cleanupOnSignals();
  const setup: BenchSetup = { repoRoot: findRepoRoot(__dirname), serverNodeArgs: opts.serverNodeArgs, verbose: opts.verbose };
  for (const f of ['apiserver/dist/server-cli.js', 'worker/dist/cli.js']) if (!existsSync(join(setup.repoRoot, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  const mariadb = await databaseVersion();
  const machine = machineInfo();
  const busyBefore = await busyProcesses(2000);
  log(`load average ${machine.loadAverage}; busy: ${busyBefore.join(', ') || 'nothing'}`);

  const wants = (s: Scenario): boolean => opts.only === undefined || opts.only === s;
  const load: { label: string; result: LoadResult }[] = [];
  let api: ApiResult | undefined;
  const base = { workers: opts.workers, capacity: opts.capacity, warmupS: opts.warmup, measureS: opts.seconds, workerNodeArgs: opts.workerNodeArgs, workerSpawn: opts.spawn };
  try {
    const runs: { scenario: Scenario; kind: 'http' | 'command'; rate: number }[] = [
      { scenario: 'http', kind: 'http', rate: opts.rate },
      { scenario: 'command', kind: 'command', rate: opts.rate },
      { scenario: 'lag', kind: 'command', rate: 500 },
      { scenario: 'lag', kind: 'http', rate: 500 },
    ];
    for (const r of runs.filter((x) => wants(x.scenario))) {
      const la = loadAverage();
      const label = `${r.scenario === 'lag' ? `lag ${r.kind}` : r.scenario} ${r.rate}/s (load avg ${la})`;
      log(`${r.scenario}: load average before the run ${la}`);
      load.push({ label, result: await runLoadScenario(setup, { ...base, kind: r.kind, rate: r.rate }, label) });
    }
    if (wants('api')) {
      log(`api: load average before the run ${loadAverage()}`);
      api = await runApiScenario(setup, { rows: opts.rows, concurrency: opts.concurrency, seconds: Math.max(5, Math.round(opts.seconds / 2)) });
    }
  } finally {
    await cleanupAll();
  }
  const report = renderReport({
    machine,
    mariadb,
    busyBefore,
    command: benchCommand('bench:e2e'),
    serverVersion: describeBuild(setup.repoRoot, ['apiserver', 'worker', 'shared']),
    serverNodeArgs: opts.serverNodeArgs,
    load,
    api,
  });
  process.stdout.write(`${report}\n`);
  if (opts.write) {
    const file = join(setup.repoRoot, 'docs/benchmarks.md');
    writeDocSection(file, DOC_HEADING, report);
    log(`wrote the End to end section of ${file}`);
  }
}

runBench('bench:e2e', main);
