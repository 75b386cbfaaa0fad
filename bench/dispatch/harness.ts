// What both scenarios share: where the repository is, free ports, a server's environment, and
// making the schema by letting the real server run its migrations once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MYSQL_URL, REDIS_URL, randomHex, type Backend } from './backend';
import { cleanupAll, onCleanup } from './cleanup';
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

/** The same server on the embedded default: a data directory (SQLite) of its own, no MariaDB or Redis. */
export function embeddedEnv(env: ServerEnv): ServerEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-bench-embedded-'));
  onCleanup(`removing ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  return { ...env, dataDir, embedded: true };
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

/** A command-line value that must be a positive integer, or an error naming the option. */
export function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${raw}: expected a positive integer`);
  return n;
}

/**
 * Which build was measured: the commit and whether `dirs` had uncommitted changes, and `built` (when
 * the server's dist/ was written) when given.
 */
export function describeBuild(repoRoot: string, dirs: readonly string[], built?: string): string {
  const when = built ? `, built ${built} UTC` : '';
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', ...dirs) !== '';
    const named = dirs.map((d) => `${d}/`);
    const list = named.length > 1 ? `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}` : named.join('');
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ` with uncommitted changes in ${list}` : ''}${when}`;
  } catch {
    return built ? `built ${built} UTC (not a git checkout)` : 'not a git checkout';
  }
}

/** The command that ran this bench, as typed: `npm run bench:api -- --only tasks` (no trailing `--`). */
export function benchCommand(script: string): string {
  return [`npm run ${script} --`, ...process.argv.slice(2)].join(' ').replace(/ --$/, '');
}

/** Runs a bench's `main`: exit 0 once it is done; on failure, removes what it made, prints why and exits 1. */
export function runBench(script: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    async (e: unknown) => {
      await cleanupAll();
      process.stderr.write(`${script} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
