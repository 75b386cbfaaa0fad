// What the package gives other packages: the server's command, which `cronfleet server` (the CLI
// package) runs with its local worker beside it. Nest loads only once a server starts.
export { runServerCli, type Companion, type CompanionOption, type ServerCliOptions, type StartedServer } from './server-cli';
