export { runWorkerCli, type WorkerCliIO } from './cli';
export { ConfigError, loadWorkerConfig, type WorkerCliOptions, type WorkerConfig } from './config';
export { StateDirError } from './result-spool';
export { startWorker, type StartWorkerOptions, type WorkerExit, type WorkerHandle } from './worker';
export type { PluginContext, PluginRunner, Runner, RunnerIO, RunnerResult, RunningTask } from './runners/runner';
export type { PluginSpec, PluginTaskRun } from '@cronfleet/shared';
export { loadPlugins, PluginError, type LoadedPlugin, type PluginSource } from './plugins/plugin-loader';
