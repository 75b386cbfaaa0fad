import { Command } from 'commander';
import { registerAdminCommands } from './admin-commands';
import { CliError } from './cli-error';
import { startLocalWorker } from './local-worker';
import { serverPackage, workerBin, workerPackage } from './optional-packages';

/**
 * `cronfleet`: the admin commands over the REST API (`cronjobs`, `tasks`, `workers`, `preview`,
 * `tokens`, `workflows`, `namespaces`, `export`, `apply`: see commands/), `cronfleet server
 * [--local-worker] ...` (the server package's command, with this host's worker beside it on request)
 * and `cronfleet worker ...` (the worker package's command). The last two need their package
 * installed beside the CLI. Resolves to the process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'worker') return await workerPackage().runWorkerCli(argv.slice(1));
    if (argv[0] === 'server') return await server(argv.slice(1));
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`cronfleet: ${e.message}\n`);
    return e.exitCode;
  }
  let exitCode = 0;
  const program = new Command('cronfleet')
    .description('Cronfleet: distributed cron and task scheduler')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError();
  // Parsed by their own packages: listed here for `cronfleet --help`.
  program.command('server').description('start the API server, with --local-worker one worker beside it (options: cronfleet server --help)');
  program.command('worker').description('start a worker (options: cronfleet worker --help)');
  registerAdminCommands(program, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code === 0 ? 0 : 2;
    throw e;
  }
  return exitCode;
}

/** This package's version; found by package name so it works from any build folder. */
const CLI_VERSION: string = (() => {
  try {
    return (require('@cronfleet/cli/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** `cronfleet server`: the server package's command, with `--local-worker`. */
async function server(argv: string[]): Promise<number> {
  // Before the server starts: a missing worker package is said at once, not after the banner.
  const bin = argv.includes('--local-worker') ? workerBin() : null;
  return serverPackage().runServerCli(argv, {
    name: 'cronfleet server',
    companion: {
      flags: '--local-worker',
      description: 'also start one worker on this host, connected to this server',
      start: (started) => startLocalWorker(bin ?? workerBin(), started),
    },
  });
}
