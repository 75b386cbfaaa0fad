// The REST API over a long history: 1M task rows written straight into MariaDB, then closed loops
// of concurrent requests (fetch, keep-alive) against the real server, one endpoint at a time.
import { newBackend } from '../dispatch/backend';
import { createSchema, log, serverEnv, spawnServer, type BenchSetup } from '../dispatch/harness';
import { cpuSeconds, findDatabasePid, machineBusySeconds } from '../dispatch/procfs';
import { percentile, sortedCopy } from '../dispatch/stats';
import { HISTORY_JOBS, databasePid, seedTaskHistory } from './seed';

export interface ApiOptions {
  rows: number;
  concurrency: number;
  seconds: number;
}

export interface EndpointResult {
  name: string;
  requests: number;
  perS: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string | null;
  serverCpu: number | null;
  dbCpu: number | null;
  otherCpu: number;
}

export interface ApiResult extends ApiOptions {
  taskRows: number;
  seedMs: number;
  endpoints: EndpointResult[];
  serverWarnings: { text: string; count: number }[];
}

export async function runApiScenario(setup: BenchSetup, o: ApiOptions): Promise<ApiResult> {
  const backend = newBackend();
  try {
    const env = serverEnv(setup, backend);
    log(`api: creating schema in ${backend.database}`);
    await createSchema(setup, env);
    const { taskRows, seedMs } = await seedTaskHistory(backend.database, o.rows, (n) => log(`api: ${n} task rows`));

    const server = await spawnServer(setup, env);
    await server.waitForLeading(120_000);
    await server.waitForHealthy(120_000);
    const headers = { authorization: `Bearer ${env.adminToken}`, 'content-type': 'application/json' };
    let created = 0;
    const endpoints: { name: string; request: () => [string, RequestInit] }[] = [
      {
        name: 'POST /api/v1/cronjobs',
        request: () => [
          '/api/v1/cronjobs',
          { method: 'POST', headers, body: JSON.stringify({ name: `api-bench-${++created}-${process.pid}`, schedule: '0 3 1 1 *', runner: 'command', spec: { command: 'true' } }) },
        ],
      },
      { name: 'GET /api/v1/tasks?limit=50', request: () => ['/api/v1/tasks?limit=50', { headers }] },
      {
        name: 'GET /api/v1/tasks?limit=50&cronjobId=…',
        request: () => [`/api/v1/tasks?limit=50&cronjobId=${1 + Math.floor(Math.random() * HISTORY_JOBS)}`, { headers }],
      },
    ];
    const dbPid = (await databasePid()) ?? findDatabasePid();
    const results: EndpointResult[] = [];
    for (const e of endpoints) {
      await closedLoop(server.url, e.request, o.concurrency, 1000); // warm-up: connections, JIT, caches
      const c0 = { s: cpuSeconds(server.pid), d: dbPid ? cpuSeconds(dbPid) : null, m: machineBusySeconds(), b: process.cpuUsage() };
      const r = await closedLoop(server.url, e.request, o.concurrency, o.seconds * 1000);
      const b = process.cpuUsage(c0.b);
      const c1 = { s: cpuSeconds(server.pid), d: dbPid ? cpuSeconds(dbPid) : null, m: machineBusySeconds() };
      const wallS = r.wallMs / 1000;
      const serverCpu = c0.s !== null && c1.s !== null ? (c1.s - c0.s) / wallS : null;
      const dbCpu = c0.d !== null && c1.d !== null ? (c1.d - c0.d) / wallS : null;
      const benchCpu = (b.user + b.system) / 1e6 / wallS;
      const sorted = sortedCopy(r.latencies);
      const res: EndpointResult = {
        name: e.name,
        requests: r.latencies.length,
        perS: r.latencies.length / wallS,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        errors: r.errors,
        firstError: r.firstError,
        serverCpu,
        dbCpu,
        otherCpu: Math.max(0, (c1.m - c0.m) / wallS - (serverCpu ?? 0) - (dbCpu ?? 0) - benchCpu),
      };
      log(`api: ${e.name}: ${Math.round(res.perS)} req/s, p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms, errors ${res.errors}${res.firstError ? ` (${res.firstError})` : ''}`);
      results.push(res);
    }
    const serverWarnings = server.warnings();
    await server.stop();
    return { ...o, taskRows, seedMs, endpoints: results, serverWarnings };
  } finally {
    await backend.release();
  }
}

/** `concurrency` loops each sending the next request when the previous answered, for `ms`; latencies of 2xx answers. */
async function closedLoop(base: string, request: () => [string, RequestInit], concurrency: number, ms: number) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const [path, init] = request();
        const t0 = performance.now();
        try {
          const res = await fetch(base + path, init);
          const body = await res.text();
          if (res.ok) latencies.push(performance.now() - t0);
          else {
            errors++;
            firstError ??= `${res.status} ${body.slice(0, 200)}`;
          }
        } catch (e) {
          errors++;
          firstError ??= e instanceof Error ? e.message : String(e);
        }
      }
    }),
  );
  return { latencies, errors, firstError, wallMs: performance.now() - start };
}
