// The CLI loads the server's and the worker's commands at run time (cli/src/optional-packages.ts)
// and calls them through the interfaces in shared/src/commands/package-commands.ts, never compiling
// against either package. Compiled with
// the tests (tsconfig.test.json), this file fails the build when a package's command no longer fits
// the interface the CLI calls it by. Types only: nothing here runs.
import type { runServerCli } from '../apiserver/src/server-cli';
import type { runWorkerCli } from '../worker/src/cli';
import type { ServerPackage, WorkerPackage } from '../shared/src/commands/package-commands';

type Fits<Actual extends Expected, Expected> = [Actual, Expected];

export type ServerCommandFits = Fits<typeof runServerCli, ServerPackage['runServerCli']>;
export type WorkerCommandFits = Fits<typeof runWorkerCli, WorkerPackage['runWorkerCli']>;
