// How the `cronfleet` command (cli/) runs the server's and the worker's own commands, which it loads
// at run time where those packages are installed and never compiles against: the shapes both sides
// agree on, stated once here. apiserver/src/server-cli.ts and worker/src/cli.ts implement them;
// test/package-contracts.ts fails the build when either stops fitting.

/** The server as it started, for what runs beside it (the local worker of `cronfleet server --local-worker`). */
export interface StartedServer {
  /** The port actually bound. */
  port: number;
  /** CRONFLEET_DATA_DIR (absolute). */
  dataDir: string;
  /** The PEM certificate it serves HTTPS with; null over plain HTTP. */
  tlsCertFile: string | null;
  /** The token a worker says hello with. */
  workerToken: string;
}

/** Something running beside the server: stopped after dispatching stops and before the server closes. */
export interface Companion {
  /** Asks it to stop; resolves once it has. */
  stop(): Promise<void>;
  /** Ends it at once (a second Ctrl-C). */
  kill(): void;
}

/**
 * An option of the server's command that starts a companion once the server is up: how `cronfleet
 * server` (the CLI package) adds `--local-worker` without the server knowing the worker.
 */
export interface CompanionOption {
  /** A boolean flag, as commander takes it: `--local-worker`. */
  flags: string;
  description: string;
  start(server: StartedServer): Companion;
}

/** Options of the server's command. */
export interface ServerCliOptions {
  /** The command's name in help and errors; default `cronfleet-server`. */
  name?: string;
  companion?: CompanionOption;
}

/** What `cronfleet server` uses of @cronfleet/apiserver: its command. Resolves to the exit code. */
export interface ServerPackage {
  runServerCli(argv: string[], opts?: ServerCliOptions): Promise<number>;
}

/** What `cronfleet worker` uses of @cronfleet/worker: its command. Resolves to the exit code. */
export interface WorkerPackage {
  runWorkerCli(argv: string[]): Promise<number>;
}
