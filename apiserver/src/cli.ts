import { Command, InvalidArgumentError } from 'commander';
import { ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { registerAdminCommands } from './cli/admin-commands';
import { ConfigError, loadConfig, redactUrl, ServerConfig } from './config/config';
// Loaded by `server` only: the admin commands start in a fraction of the time without Nest.
import type { RunningServer } from './main';

const say = (line: string) => process.stdout.write(`cronfleet: ${line}\n`);

/**
 * `cronfleet server [--local-worker] [--port N] [--data-dir DIR]`, `cronfleet worker ...` (the
 * worker's own CLI, see `cronfleet worker --help`), and the admin commands over the REST API
 * (`cronjobs`, `tasks`, `workers`, `preview`: see cli/). Resolves to the process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'worker') {
    const { runWorkerCli } = await import('@cronfleet/worker');
    return runWorkerCli(argv.slice(1));
  }
  let exitCode = 0;
  const program = new Command('cronfleet')
    .description('Cronfleet: distributed cron and task scheduler')
    .exitOverride()
    .showHelpAfterError();
  program.command('worker').description('start a worker (options: cronfleet worker --help)');
  program
    .command('server')
    .description('start the API server (configured by CRONFLEET_* environment variables, see docs/operations.md)')
    .option('--local-worker', 'also start one worker on this host, connected to this server')
    .option('--port <port>', 'TCP port (overrides CRONFLEET_PORT)', (v) => {
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
      return v;
    })
    .option('--data-dir <dir>', 'data directory (overrides CRONFLEET_DATA_DIR)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and wss with --tls-key (overrides CRONFLEET_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (overrides CRONFLEET_TLS_KEY)')
    .action(async (opts: ServeOptions) => {
      exitCode = await serve(opts);
    });
  registerAdminCommands(program, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code === 0 ? 0 : 2;
    // Not commander's: a start-up failure (database unreachable, a bad setting found late). Say it.
    const config = e instanceof ConfigError || (e as { code?: string }).code === 'InvalidConfig';
    process.stderr.write(`cronfleet: ${config ? 'configuration error: ' : ''}${e instanceof Error ? e.message : String(e)}\n`);
    return config ? 2 : 1;
  }
  return exitCode;
}

interface ServeOptions {
  localWorker?: boolean;
  port?: string;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
}

async function serve(opts: ServeOptions): Promise<number> {
  let config: ServerConfig;
  try {
    config = loadConfig({
      ...process.env,
      ...(opts.port !== undefined ? { CRONFLEET_PORT: opts.port } : {}),
      ...(opts.dataDir !== undefined ? { CRONFLEET_DATA_DIR: opts.dataDir } : {}),
      ...(opts.tlsCert !== undefined ? { CRONFLEET_TLS_CERT: opts.tlsCert } : {}),
      ...(opts.tlsKey !== undefined ? { CRONFLEET_TLS_KEY: opts.tlsKey } : {}),
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`cronfleet: configuration error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { startServer } = await import('./main.js');
  const server = await startServer(config);
  const url = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${server.port}`;
  // Paths as they are configured (absolute), not relative to wherever the server was started from.
  const db = config.db.kind === 'sqlite' ? `SQLite ${config.db.file}` : `MySQL ${redactUrl(config.db.url)}`;
  say(`API server listening on ${url} (REST under ${url}/api/v1)`);
  say(`database: ${db}; leader lock: ${config.redisUrl ? `Redis ${redactUrl(config.redisUrl)}` : 'in-process (single server)'}`);
  say(
    config.adminToken
      ? 'admin token: from CRONFLEET_ADMIN_TOKEN'
      : `admin token: ${server.tokens.adminToken}  (${server.tokens.generated.admin ? 'generated now, ' : ''}kept in ${join(config.dataDir, 'tokens.json')})`,
  );
  // The token through the environment, as docs/workers.md advises: a --token argument is visible in `ps`.
  // The bin of the worker package (npm run pack, docs/workers.md), never `npx`, which could fetch a
  // registry package of that name where none is installed.
  say(
    config.workerToken
      ? `start a worker on another host (the worker package, docs/workers.md), with this server's CRONFLEET_WORKER_TOKEN in its environment: cronfleet-worker --server ${url}`
      : `start a worker on another host (the worker package, docs/workers.md): CRONFLEET_WORKER_TOKEN=${server.tokens.workerToken} cronfleet-worker --server ${url}`,
  );
  const worker = opts.localWorker ? startLocalWorker(server, config.dataDir, config.tls?.certFile ?? null) : null;
  return waitForSignal(server, worker);
}

/** The worker `npm start` runs beside the server, as a child process connected over the same socket as any other. */
function startLocalWorker(server: RunningServer, dataDir: string, tlsCertFile: string | null): ChildProcess {
  const bin = require.resolve('@cronfleet/worker/bin/cronfleet-worker.js');
  // Its undelivered results live beside the server's data, not in the user's home.
  // Over TLS it trusts the server's own certificate, which must then name localhost.
  const serverUrl = tlsCertFile ? `https://localhost:${server.port}` : `http://127.0.0.1:${server.port}`;
  const args = [bin, '--server', serverUrl, '--name', `local-${hostname()}`, '--state-dir', join(dataDir, 'worker-state'), ...(tlsCertFile ? ['--ca', tlsCertFile] : [])];
  const child = spawn(process.execPath, args, {
    // The token goes through the environment, not argv, which `ps` shows to every user of the host.
    env: { ...process.env, CRONFLEET_WORKER_TOKEN: server.tokens.workerToken, },
    // Own process group: Ctrl-C reaches only the server, which stops the worker once, in order.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  say(`local worker started (pid ${child.pid}, name local-${hostname()}, capacity ${process.env.CRONFLEET_WORKER_CAPACITY ?? 4})`);
  child.on('exit', (code, signal) => {
    if (!stopping) say(`local worker exited (${signal ?? `code ${code}`})`);
  });
  return child;
}

let stopping = false;

/** Runs until SIGINT/SIGTERM, then stops the local worker (its tasks finish or are stopped and recorded) and the server. */
function waitForSignal(server: RunningServer, worker: ChildProcess | null): Promise<number> {
  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) {
        say(`${signal} again: exiting now`);
        worker?.kill('SIGKILL');
        process.exit(130);
      }
      stopping = true;
      say(`${signal}: stopping (press Ctrl-C again to force)`);
      await server.stopDispatching();
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((r) => worker.once('exit', r));
        if (worker.connected) worker.send({ type: 'shutdown' });
        else worker.kill('SIGTERM');
        await exited;
      }
      await server.close();
      say('stopped');
      resolve(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
