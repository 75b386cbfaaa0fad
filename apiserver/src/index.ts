// What the package gives other packages: the server's command, which `cronfleet server` (the CLI
// package) runs with its local worker beside it (the shapes they agree on: @cronfleet/shared's
// package-commands.ts). Nest loads only once a server starts.
export { runServerCli } from './server-cli';
