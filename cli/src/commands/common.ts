import { isDefinitionError } from '@cronfleet/shared';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT, fromDefinitionError, type ExitCode } from '../cli-error';
import { AdminClient, connectionFrom, type Api } from '../client';
import { OUTPUT_FORMATS, render, type OutputFormat } from '../format';
import { namespaceArg } from '../namespace';

/** What an admin command's action gets: the typed API client (failures thrown as CliErrors), the output format and the time it started. */
export interface Context {
  api: Api;
  format: OutputFormat;
  nowMs: number;
  /**
   * `--namespace` (or CRONFLEET_NAMESPACE): the namespace to list, to create in and to look names
   * up in. Undefined: none is sent, and the server's defaults apply.
   */
  namespace: string | undefined;
  /** Writes `data` as JSON/YAML, or `human()` as text for `-o table`. */
  show(data: unknown, human: () => string): void;
}

/** Sets the process exit code of the CLI run (commander's own errors are mapped by main.ts). */
export type SetExit = (code: number) => void;

/** Wraps an action: builds the {@link Context}, prints a {@link CliError} as one line, sets the exit code. */
export type Act = <O extends object, A extends unknown[]>(
  fn: (ctx: Context, opts: O, ...args: A) => Promise<ExitCode | void>,
) => (...commanderArgs: unknown[]) => Promise<void>;

export function makeAct(setExit: SetExit): Act {
  return <O extends object, A extends unknown[]>(fn: (ctx: Context, opts: O, ...args: A) => Promise<ExitCode | void>) =>
    async (...commanderArgs: unknown[]) => {
      // `cronfleet tasks logs 1 | head` closes our stdout early: that is not an error.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(EXIT.ok);
        throw e;
      });
      const cmd = commanderArgs[commanderArgs.length - 1] as Command;
      const opts = cmd.optsWithGlobals<{ server?: string; token?: string; output: OutputFormat; namespace?: string }>();
      // commander passes the arguments, then the command's options, then the command.
      const args = commanderArgs.slice(0, -2) as A;
      try {
        const { baseUrl, token } = connectionFrom(opts);
        const format = opts.output;
        const ctx: Context = {
          api: new AdminClient(baseUrl, token).api,
          format,
          nowMs: Date.now(),
          namespace: opts.namespace,
          show: (data, human) => process.stdout.write(render(format, data, human)),
        };
        setExit((await fn(ctx, opts as unknown as O, ...args)) ?? EXIT.ok);
      } catch (caught) {
        // A job or workflow file the shared checks refused: the file's words, the CLI's exit code.
        const e = isDefinitionError(caught) ? fromDefinitionError(caught) : caught;
        if (e instanceof CliError) {
          process.stderr.write(`cronfleet: ${e.message}\n`);
          setExit(e.exitCode);
          return;
        }
        process.stderr.write(`cronfleet: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        setExit(EXIT.refused);
      }
    };
}

/** `--server`, `--token` and `-o` on a command group; its subcommands accept them before or after their own arguments. */
export function withConnection(cmd: Command): Command {
  return cmd
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .option('--server <url>', 'API server URL (default: $CRONFLEET_SERVER)')
    .option('--token <token>', 'API token or the admin token (default: $CRONFLEET_ADMIN_TOKEN; prefer the variable: argv is visible in ps)')
    .addOption(new Option('-o, --output <format>', 'output format: a table for people, the API\'s JSON or YAML for scripts').choices(OUTPUT_FORMATS).default('table'));
}

/**
 * `--namespace NAME` on a command group whose resources live in namespaces, with CRONFLEET_NAMESPACE
 * as its default unless `fromEnv` is false; checked as a namespace name before anything is sent.
 */
export function withNamespace(cmd: Command, what?: string, fromEnv = true): Command {
  const option = new Option('--namespace <name>', what ?? "list only this namespace's, create in it, look names up in it (default: all the token sees; creates and names: the token's namespace, else 'default')").argParser(namespaceArg);
  return cmd.addOption(fromEnv ? option.env('CRONFLEET_NAMESPACE') : option);
}

/** `{ namespace }` for a query or a create body when --namespace is given, else nothing. */
export function inNamespace(ctx: Pick<Context, 'namespace'>): { namespace?: string } {
  return ctx.namespace === undefined ? {} : { namespace: ctx.namespace };
}

export function positiveInt(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max}`);
    return Number(v);
  };
}

export function wholeSeconds(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 3600) throw new InvalidArgumentError('must be whole seconds from 0 to 3600');
  return Number(v);
}

/** `KEY=VALUE` (the value may hold `=`; it is sent as it is, never through a shell). */
export function keyValue(v: string, all: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('must be KEY=VALUE');
  return { ...all, [v.slice(0, eq)]: v.slice(eq + 1) };
}
