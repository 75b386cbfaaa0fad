// What both scenarios share: where the repository is, free ports, a server's environment, and
// making the schema by letting the real server run its migrations once.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MYSQL_URL, REDIS_URL, randomHex, type Backend } from './backend';
import { onCleanup } from './cleanup';
import { ServerProcess, type ServerEnv } from './server-process';
import { findRepoRoot, freePort } from '../../test/support/local-host';

export { findRepoRoot, freePort };

export interface BenchSetup {
  repoRoot: string;
  /** Extra node options for the server under test (e.g. `--cpu-prof`, `--max-old-space-size=`). */
  serverNodeArgs: string[];
  /** Echo the server's log lines to stderr. */
  verbose: boolean;
}



/** The server's environment for one backend: temp data dir (removed at cleanup) and fresh tokens. */
export function serverEnv(setup: BenchSetup, backend: Backend): ServerEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-bench-'));
  onCleanup(`removing ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  return {
    repoRoot: setup.repoRoot,
    mysqlUrl: MYSQL_URL,
    database: backend.database,
    redisUrl: REDIS_URL,
    redisPrefix: backend.redisPrefix,
    port: 0,
    dataDir,
    adminToken: `admin-${randomHex(16)}`,
    workerToken: `worker-${randomHex(16)}`,
  };
}

export async function spawnServer(setup: BenchSetup, env: ServerEnv, nodeArgs = setup.serverNodeArgs): Promise<ServerProcess> {
  return new ServerProcess({ ...env, port: await freePort() }, nodeArgs, setup.verbose);
}

/** Starts the server on the empty database (it creates it and runs its migrations), then stops it. */
export async function createSchema(setup: BenchSetup, env: ServerEnv): Promise<void> {
  const server = await spawnServer(setup, env, []);
  await server.waitForHealthy(120_000);
  await server.waitForLeading(60_000);
  if (!(await server.stop())) throw new Error('the server ignored SIGTERM after creating the schema');
}

export async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}
