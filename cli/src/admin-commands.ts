import type { Command } from 'commander';
import { registerCronJobs } from './commands/cronjobs.command';
import { makeAct, type SetExit } from './commands/common';
import { registerExport } from './commands/export.command';
import { registerNamespaces } from './commands/namespaces.command';
import { registerPreview } from './commands/preview.command';
import { registerTasks } from './commands/tasks.command';
import { registerTokens } from './commands/tokens.command';
import { registerWorkers } from './commands/workers.command';
import { registerWorkflows } from './commands/workflows.command';

/**
 * The admin commands over the REST API: `cronjobs`, `tasks`, `workers`, `preview`, `tokens`, `workflows`, `namespaces`, and `export` / `apply` of both. Each action
 * reports its exit code through `setExit` (see EXIT in cli-error.ts).
 */
export function registerAdminCommands(program: Command, setExit: SetExit): void {
  const act = makeAct(setExit);
  registerCronJobs(program, act);
  registerTasks(program, act);
  registerWorkers(program, act);
  registerPreview(program, act);
  registerTokens(program, act);
  registerWorkflows(program, act);
  registerExport(program, act);
  registerNamespaces(program, act);
}
