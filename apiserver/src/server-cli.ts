import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import type { Companion, CompanionOption, ServerCliOptions, StartedServer } from '@cronfleet/shared';
import { ConfigError, loadConfig, redactUrl, ServerConfig } from './config/config';
// Loaded once the command line is read: `--help` and a bad flag answer without loading Nest.
import type { RunningServer } from './main';

const say = (line: string) => process.stdout.write(`cronfleet: ${line}\n`);

/**
 * `cronfleet-server [--port N] [--data-dir DIR] [--tls-cert FILE --tls-key FILE]`: starts the API
 * server (configured by CRONFLEET_* variables, which the flags override) and runs until SIGINT or
 * SIGTERM. Resolves to the process exit code: 2 for a usage or configuration error, 1 when the
 * server cannot start (database unreachable, port taken).
 */
export async function runServerCli(argv: string[], opts: ServerCliOptions = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command(opts.name ?? 'cronfleet-server')
    .description('start the API server (configured by CRONFLEET_* environment variables, see docs/operations.md)')
    .exitOverride()
    .showHelpAfterError();
  const companionOption = opts.companion ? new Option(opts.companion.flags, opts.companion.description) : null;
  if (companionOption) program.addOption(companionOption);
  program
    .option('--port <port>', 'TCP port (overrides CRONFLEET_PORT)', (v) => {
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
      return v;
    })
    .option('--data-dir <dir>', 'data directory (overrides CRONFLEET_DATA_DIR)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and wss with --tls-key (overrides CRONFLEET_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (overrides CRONFLEET_TLS_KEY)')
    .action(async (flags: ServeFlags & Record<string, unknown>) => {
      const companion = opts.companion && companionOption && flags[companionOption.attributeName()] === true ? opts.companion : null;
      exitCode = await serve(flags, companion);
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

/** Entry point of bin/cronfleet-server.js. */
export function main(argv: string[]): Promise<number> {
  return runServerCli(argv);
}

interface ServeFlags {
  port?: string;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
}

async function serve(opts: ServeFlags, companion: CompanionOption | null): Promise<number> {
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
  const started = companion?.start({ port: server.port, dataDir: config.dataDir, tlsCertFile: config.tls?.certFile ?? null, workerToken: server.tokens.workerToken }) ?? null;
  return waitForSignal(server, started);
}

/** Runs until SIGINT/SIGTERM, then stops the companion (the local worker: its tasks finish or are stopped and recorded) and the server. */
function waitForSignal(server: RunningServer, companion: Companion | null): Promise<number> {
  let stopping = false;
  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) {
        say(`${signal} again: exiting now`);
        companion?.kill();
        process.exit(130);
      }
      stopping = true;
      say(`${signal}: stopping (press Ctrl-C again to force)`);
      await server.stopDispatching();
      await companion?.stop();
      await server.close();
      say('stopped');
      resolve(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
