import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerPackage, WorkerPackage } from '@cronfleet/shared';
import { CliError, EXIT } from './cli-error';

// The CLI does not depend on the server or the worker package (not even as optional peers: its
// tarball, scripts/pack.js, carries its dependencies and no more): `cronfleet server` and `cronfleet
// worker` load them here, where Node finds them from the CLI (beside it in a checkout or a project,
// or both installed with npm install -g), and say how to get them where it does not. This is the
// only file of cli/ that names them (scripts/check-imports.js, rule cli-knows-no-server). What the
// CLI uses of them is typed by shared's package-commands.ts, not imported: test/package-contracts.ts checks that they fit.

/** How to get each package where it is missing: the worker has a tarball (npm run pack); the server runs from a checkout or its image. */
const INSTALL = {
  '@cronfleet/apiserver': 'run the server from a Cronfleet checkout (npm ci && npm start) or its Docker image (docs/operations.md)',
  '@cronfleet/worker': 'install the worker beside it (npm run pack, then npm install -g dist-packages/cronfleet-worker-0.1.0.tgz: docs/workers.md), or run cronfleet-worker',
} as const;

/** @cronfleet/apiserver as installed beside the CLI, or a usage error (exit 2) saying where to run the server. */
export function serverPackage(): ServerPackage {
  built('@cronfleet/apiserver', installed('@cronfleet/apiserver', 'cronfleet server'));
  return require('@cronfleet/apiserver') as ServerPackage;
}

/** @cronfleet/worker as installed beside the CLI, or a usage error (exit 2) saying how to install it. */
export function workerPackage(): WorkerPackage {
  built('@cronfleet/worker', installed('@cronfleet/worker', 'cronfleet worker'));
  return require('@cronfleet/worker') as WorkerPackage;
}

/** The worker's own bin, run as a child process by `cronfleet server --local-worker`. */
export function workerBin(): string {
  built('@cronfleet/worker', installed('@cronfleet/worker', 'cronfleet server --local-worker'));
  return require.resolve('@cronfleet/worker/bin/cronfleet-worker.js');
}

/** The directory of package `name` as Node resolves it from here, or a usage error: `what` needs it, and how to get it. */
function installed(name: keyof typeof INSTALL, what: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    throw new CliError(EXIT.usage, `${what} needs the package ${name}, which is not installed beside this CLI: ${INSTALL[name]}`);
  }
}

/** A usage error when the package in `dir` has no compiled code (a checkout not built yet). */
function built(name: string, dir: string): void {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) throw new CliError(EXIT.usage, `${name} is installed but not built (no ${dist}): run \`npm run build\` in the repository first`);
}
