/**
 * `npm run bench:api` — the REST API's cost per request, against references measured in the same run:
 * one real server on MariaDB + Redis with a long task history, a bare node:http server and a BullMQ 6
 * client on the same Redis, rounds interleaved (reference, Cronfleet, reference, Cronfleet, …).
 *
 * Usage: node build/bench/api.bench.js [--only healthz,tasks,batch,cronjobs,list,busy] [--seconds N] [--rounds N]
 *          [--concurrency N] [--rows N] [--server-node-args="..."] [--verbose] [--write]
 *   --only         a comma list (default all):
 *                    healthz   GET /healthz, against a bare node:http server
 *                    tasks     POST /api/v1/tasks, one command task with delaySeconds 3600, against BullMQ queue.add (delay 1 h)
 *                    embedded  the same to a second server on the embedded default (SQLite, in-process lock)
 *                    batch     POST /api/v1/tasks/batch with 100 such tasks (only if the server answers a probe 2xx),
 *                              against BullMQ addBulk of 100; rates in tasks/s
 *                    cronjobs  POST /api/v1/cronjobs, unique names
 *                    list      GET /api/v1/tasks?limit=50
 *                    busy      the selected ones of tasks, cronjobs and list (all three if none is) again while the
 *                              server dispatches 1,000 http tasks/s to real workers
 *   --seconds      window per request, side and round (default 10); --rounds: rounds (default 3).
 *   --concurrency  keep-alive clients, and BullMQ calls in flight (default 16).
 *   --rows         task rows seeded before the server starts (default 1000000).
 *   --server-node-args="…"   node options for the server (note the =), e.g. "--cpu-prof": profiles land in
 *                  build/bench/e2e-profiles/api-idle/server/ and api-busy/server/ and are summarised at the end.
 *   --verbose      echo the server's log; --write: also replace the "## API" section of docs/benchmarks.md.
 * Needs MariaDB on 127.0.0.1:3306 and Redis on 127.0.0.1:6379 (CRONFLEET_BENCH_MYSQL / CRONFLEET_BENCH_REDIS),
 * and a built server and worker (npm run build). Every process, database and key prefix it makes is
 * removed at the end, on failure and on Ctrl-C.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BATCH_SIZE, CASES, batchAvailable, cronfleetRequest, type CaseName } from './api/cases';
import { BusyPhase } from './api/busy';
import { startCpu, type CpuPids } from './api/cpu-meter';
import { httpLoad, type LoadSample } from './api/http-load';
import { BareServer, BullmqClient } from './api/references';
import { DOC_HEADING, renderReport, type CaseResult, type Measurement } from './api/report';
import { databaseVersion, dbCounters, newBackend, redisServer } from './dispatch/backend';
import { cleanupAll, cleanupOnSignals } from './dispatch/cleanup';
import { writeDocSection } from './dispatch/doc-section';
import { benchCommand, createSchema, describeBuild, embeddedEnv, findRepoRoot, log, positiveInt, serverEnv, spawnServer, runBench, type BenchSetup } from './dispatch/harness';
import { busyProcesses, findDatabasePid, machineInfo } from './dispatch/procfs';
import { summariseProfile } from './e2e/profile-summary';
import { databasePid, seedTaskHistory } from './e2e/seed';

const ONLY = [...CASES, 'busy'] as const;
type Only = (typeof ONLY)[number];
const BUSY_CASES: readonly CaseName[] = ['tasks', 'cronjobs', 'list'];
/** As bench:e2e's lag and http runs: 1,000 due a second over 4 workers of capacity 100. */
const BUSY = { rate: 1000, workers: 4, capacity: 100 };
const WARMUP_S = 1;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      rows: { type: 'string', default: '1000000' },
      'server-node-args': { type: 'string', default: '' },
      verbose: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  const only = values.only === undefined ? [...ONLY] : values.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((o) => !(ONLY as readonly string[]).includes(o));
  if (unknown.length || only.length === 0) throw new Error(`--only ${values.only}: expected a comma list of ${ONLY.join(', ')}`);
  return {
    only: only as Only[],
    seconds: positiveInt('seconds', values.seconds),
    rounds: positiveInt('rounds', values.rounds),
    concurrency: positiveInt('concurrency', values.concurrency),
    rows: positiveInt('rows', values.rows),
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
    verbose: values.verbose,
    write: values.write,
  };
}

/** What one side of a case needs to be measured: its load, and the pid of the process doing the work. */
interface Side {
  label: string;
  pid: number;
  load: (seconds: number) => Promise<LoadSample>;
}

const fmtMs = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a (none answered in the window)');

async function measure(side: Side, pids: Omit<CpuPids, 'app'>, seconds: number, warmUp: boolean, tasksRun?: () => number): Promise<Measurement> {
  if (warmUp) await side.load(WARMUP_S);
  const run0 = tasksRun?.();
  const db0 = await dbCounters();
  const end = startCpu({ ...pids, app: side.pid });
  const load = await side.load(seconds);
  const cpu = end();
  const db1 = await dbCounters();
  const m: Measurement = { load, cpu, dbStatements: db1.Questions - db0.Questions };
  if (tasksRun && run0 !== undefined) m.tasksRunPerS = (tasksRun() - run0) / (load.wallMs / 1000);
  const perS = load.items / (load.wallMs / 1000);
  const cpuMs = cpu.app === null || load.items === 0 ? 'n/a' : ((cpu.app * 1000) / load.items).toFixed(3);
  log(
    `${side.label}: ${Math.round(perS)}/s, p50 ${fmtMs(load.p50)}, p99 ${fmtMs(load.p99)}, CPU ${cpuMs} ms each, errors ${load.errors}` +
      (load.firstError ? ` (${load.firstError.slice(0, 120)})` : '') +
      (load.items ? `, ${(m.dbStatements / load.items).toFixed(1)} MariaDB statements each` : '') +
      (m.tasksRunPerS !== undefined ? `, ${Math.round(m.tasksRunPerS)} http tasks run/s` : ''),
  );
  return m;
}

/** Node options for the server in one phase; with --cpu-prof, a profile directory of its own. */
function phaseNodeArgs(setup: BenchSetup, phase: 'idle' | 'busy'): { args: string[]; profileDir: string | null } {
  const args = setup.serverNodeArgs;
  if (!args.includes('--cpu-prof') || args.some((a) => a.startsWith('--cpu-prof-dir'))) return { args: [...args], profileDir: null };
  const profileDir = join(setup.repoRoot, 'build/bench/e2e-profiles', `api-${phase}`, 'server');
  mkdirSync(profileDir, { recursive: true });
  return { args: [...args, `--cpu-prof-dir=${profileDir}`], profileDir };
}

/** The profile the server wrote when it stopped (the newest since `sinceMs`), summarised on stderr. */
function summariseNewest(setup: BenchSetup, dir: string | null, sinceMs: number, phase: string): string | null {
  if (!dir) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f: join(dir, f), at: statSync(join(dir, f)).mtimeMs }))
    .filter((x) => x.at >= sinceMs)
    .sort((a, b) => b.at - a.at);
  if (files.length === 0) {
    log(`${phase}: no CPU profile written in ${dir}`);
    return null;
  }
  process.stderr.write(`\n--- server CPU profile, ${phase} phase ---\n${summariseProfile(files[0].f, 20)}\n`);
  return relative(setup.repoRoot, files[0].f);
}

async function main(): Promise<void> {
  const opts = options();
  cleanupOnSignals();
  const setup: BenchSetup = { repoRoot: findRepoRoot(__dirname), serverNodeArgs: opts.serverNodeArgs, verbose: opts.verbose };
  for (const f of ['apiserver/dist/server-cli.js', 'worker/dist/cli.js']) if (!existsSync(join(setup.repoRoot, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  const mariadb = await databaseVersion();
  const redis = await redisServer();
  const machine = machineInfo();
  const busyBefore = await busyProcesses(2000);
  log(`load average ${machine.loadAverage}; busy: ${busyBefore.join(', ') || 'nothing'}`);

  const idleCases = CASES.filter((c) => opts.only.includes(c));
  const busyCases = opts.only.includes('busy') ? (BUSY_CASES.some((c) => idleCases.includes(c)) ? BUSY_CASES.filter((c) => idleCases.includes(c)) : BUSY_CASES) : [];
  const results = new Map<CaseName, CaseResult>(CASES.filter((c) => idleCases.includes(c) || busyCases.includes(c)).map((c) => [c, { name: c, skipped: null, cronfleet: [], reference: [], busy: [] }]));
  const warnings: { phase: string; text: string; count: number }[] = [];
  const profiles: string[] = [];
  let seeded = { taskRows: 0, seedMs: 0 };
  try {
    const backend = newBackend();
    const env = serverEnv(setup, backend);
    log(`creating schema in ${backend.database}`);
    await createSchema(setup, env);
    seeded = await seedTaskHistory(backend.database, opts.rows, (n) => log(`${n} task rows`));
    const pids = { db: (await databasePid()) ?? findDatabasePid(), redis: redis.pid };

    if (idleCases.length) {
      const idle = phaseNodeArgs(setup, 'idle');
      const startedAt = Date.now();
      const server = await spawnServer(setup, env, idle.args);
      await server.waitForLeading(120_000);
      await server.waitForHealthy(120_000);
      // The embedded default beside it, idle while the other is measured; not profiled (one profile a phase).
      const embedded = idleCases.includes('embedded') ? await spawnServer(setup, embeddedEnv(env), idle.args.filter((a) => !a.startsWith('--cpu-prof'))) : null;
      await embedded?.waitForLeading(120_000);
      await embedded?.waitForHealthy(120_000);
      const bare = idleCases.includes('healthz') ? await BareServer.start() : null;
      const bullmq = ['tasks', 'embedded', 'batch'].some((c) => idleCases.includes(c as CaseName)) ? BullmqClient.start() : null;
      if (idleCases.includes('batch')) {
        const probe = await batchAvailable(server.url, env.adminToken);
        log(`batch endpoint probe: ${probe.answer}`);
        if (!probe.available) results.get('batch')!.skipped = `skipped: not available (a one-task probe was answered \`${probe.answer.replace(/`/g, "'")}\`)`;
      }
      const sides = (c: CaseName): { reference: Side | null; cronfleet: Side | null } => {
        const spec = cronfleetRequest(c, env.adminToken);
        const target = c === 'embedded' ? embedded! : server;
        const cronfleet = results.get(c)!.skipped ? null : { label: `${c} Cronfleet`, pid: target.pid, load: (s: number) => httpLoad(target.url, spec, opts.concurrency, s) };
        if (c === 'healthz') return { cronfleet, reference: { label: 'healthz bare node:http', pid: bare!.pid, load: (s) => httpLoad(bare!.url, spec, opts.concurrency, s) } };
        if (c === 'tasks' || c === 'embedded') return { cronfleet, reference: { label: 'tasks BullMQ queue.add', pid: bullmq!.pid, load: (s) => bullmq!.run('add', opts.concurrency, s, 1) } };
        if (c === 'batch') return { cronfleet, reference: { label: 'batch BullMQ addBulk', pid: bullmq!.pid, load: (s) => bullmq!.run('addBulk', opts.concurrency, s, BATCH_SIZE) } };
        return { cronfleet, reference: null };
      };
      for (let round = 0; round < opts.rounds; round++) {
        log(`idle round ${round + 1}/${opts.rounds}`);
        for (const c of idleCases) {
          const { reference, cronfleet } = sides(c);
          const r = results.get(c)!;
          if (reference) r.reference.push(await measure(reference, pids, opts.seconds, round === 0));
          if (cronfleet) r.cronfleet.push(await measure(cronfleet, pids, opts.seconds, round === 0));
        }
      }
      warnings.push(...server.warnings().map((w) => ({ phase: 'idle', ...w })));
      if (embedded) {
        warnings.push(...embedded.warnings().map((w) => ({ phase: 'idle, embedded', ...w })));
        if (!(await embedded.stop())) log('the embedded server ignored SIGTERM and was killed');
      }
      await bare?.stop();
      await bullmq?.stop();
      if (!(await server.stop())) log('the server ignored SIGTERM and was killed');
      const p = summariseNewest(setup, idle.profileDir, startedAt, 'idle');
      if (p) profiles.push(p);
    }

    if (busyCases.length) {
      const phase = phaseNodeArgs(setup, 'busy');
      const startedAt = Date.now();
      log(`busy: seeding ${BUSY.rate} http jobs and starting the server again with ${BUSY.workers} workers`);
      const busy = await BusyPhase.start(setup, env, phase.args, BUSY);
      for (let round = 0; round < opts.rounds; round++) {
        log(`busy round ${round + 1}/${opts.rounds}`);
        for (const c of busyCases) {
          const spec = cronfleetRequest(c, env.adminToken);
          const side: Side = { label: `${c} Cronfleet busy`, pid: busy.server.pid, load: (s) => httpLoad(busy.server.url, spec, opts.concurrency, s) };
          results.get(c)!.busy.push(await measure(side, pids, opts.seconds, round === 0, () => busy.tasksRun));
        }
      }
      warnings.push(...busy.server.warnings().map((w) => ({ phase: 'busy', ...w })));
      await busy.stop();
      const p = summariseNewest(setup, phase.profileDir, startedAt, 'busy');
      if (p) profiles.push(p);
    }
    await backend.release();
  } finally {
    await cleanupAll();
  }

  const report = renderReport({
    machine,
    mariadb,
    redis: redis.version,
    busyBefore,
    command: benchCommand('bench:api'),
    serverVersion: describeBuild(setup.repoRoot, ['apiserver', 'shared']),
    serverNodeArgs: opts.serverNodeArgs,
    rounds: opts.rounds,
    seconds: opts.seconds,
    concurrency: opts.concurrency,
    taskRows: seeded.taskRows,
    seedMs: seeded.seedMs,
    busy: busyCases.length ? BUSY : null,
    cases: CASES.filter((c) => results.has(c)).map((c) => results.get(c)!),
    warnings,
    profiles,
  });
  process.stdout.write(`${report}\n`);
  if (opts.write) {
    const file = join(setup.repoRoot, 'docs/benchmarks.md');
    writeDocSection(file, DOC_HEADING, report);
    log(`wrote the API section of ${file}`);
  }
}

runBench('bench:api', main);
