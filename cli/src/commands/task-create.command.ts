import { AnyRunnerNameSchema, CreateTaskSchema, MAX_TASK_BATCH } from '@cronfleet/shared';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT, type ExitCode } from '../cli-error';
import { parseDurationSeconds } from '../duration';
import { duration } from '../format';
import { sendTaskBatches, withDefaults, type TaskBatchOutcome, type TaskDefaults } from '../task-batch';
import { parseTaskFile, positionLabel } from '../task-file';
import { readSource } from './apply.command';
import { type Act, type Context, inNamespace } from './common';

/** The API's bounds (CreateTaskSchema), checked here so a bad flag is a usage error naming it. */
const MAX_DELAY_SECONDS = 366 * 86_400;
const MAX_TIMEOUT_SECONDS = 604_800;
const DURATIONS = 'plain seconds (90) or with units w d h m s (90s, 15m, 2h, 1d, 1h30m)';

export interface CreateOptions {
  runner?: string;
  spec?: Record<string, unknown>;
  file?: string;
  atomic?: boolean;
  delay?: number;
  at?: string;
  timeout?: number;
  priority?: number;
  idempotencyKey?: string;
}

/**
 * `cronfleet tasks create`: one one-shot task, now or later (`POST /tasks`), or a batch file
 * (`POST /tasks/batch`, in requests of MAX_TASK_BATCH).
 */
export function registerTaskCreate(group: Command, act: Act): void {
  group
    .command('create')
    .description('queue a one-shot task, now or later: the command after --, or --runner and --spec; or a batch from -f FILE (a JSON array or JSON Lines of task bodies)')
    .argument('[command...]', 'the command and its arguments (runner command), after -- so that its options stay its own')
    // `tasks create pg_dump -Fc db` reads -Fc as an option of ours: say where the command goes.
    .showHelpAfterError("(add --help for usage; put the command to run after --: cronfleet tasks create [options] -- pg_dump -Fc mydb)")
    .option('--runner <runner>', 'any runner (command, script, http, docker, or a plugin runner), with --spec', runnerArg)
    .option('--spec <json>', "the runner's spec as a JSON object, e.g. '{\"url\":\"https://example.com/hook\"}'", specArg)
    .addOption(new Option('--delay <duration>', `run after this long: ${DURATIONS}; at most 366d`).argParser(durationArg(0, MAX_DELAY_SECONDS, 'at most 366d')))
    .addOption(new Option('--at <instant>', 'run at this ISO-8601 instant, with Z or an offset (2026-03-08T07:00:00Z)').argParser(instantArg).conflicts('delay'))
    .option('--timeout <duration>', `stop it after this long (${DURATIONS}; 1s to 7d; default: no limit)`, durationArg(1, MAX_TIMEOUT_SECONDS, 'from 1s to 7d'))
    .option('--priority <n>', 'a higher priority goes first among tasks due together (-1000 to 1000; default 0)', priorityArg)
    .option('--idempotency-key <key>', 'a repeat with the same key makes no second task and answers the first one (1-200 characters)', keyArg)
    .addOption(new Option('-f, --file <path>', "a batch: a JSON array of task bodies, or one body per line (JSON Lines); '-' reads standard input").conflicts(['runner', 'spec', 'idempotencyKey']))
    .option('--atomic', 'with -f: all the tasks are made or none is (one request: at most 1000 tasks)')
    .addHelpText(
      'after',
      '\nWith -f, --namespace, --delay or --at, --timeout and --priority apply to each task that does not give its own.\n' +
        'Examples:\n' +
        '  cronfleet tasks create --delay 30m -- pg_dump -Fc mydb\n' +
        "  cronfleet tasks create --at 2026-03-08T07:00:00Z --runner http --spec '{\"url\":\"https://example.com/hook\",\"method\":\"POST\"}'\n" +
        '  cronfleet tasks create -f reminders.jsonl',
    )
    .action(
      act(async (ctx, opts: CreateOptions, command: string[]) => {
        if (opts.file !== undefined) {
          if (command.length) throw new CliError(EXIT.usage, `-f ${opts.file} and a command (${command[0]}): give one or the other`);
          return createBatch(ctx, opts, opts.file);
        }
        if (opts.atomic) throw new CliError(EXIT.usage, '--atomic is for a batch: give it with -f FILE');
        return createOne(ctx, opts, oneTask(opts, command));
      }),
    );
}

/** The runner and spec of one task: the command after `--`, or `--runner` with `--spec`. */
export function oneTask(opts: Pick<CreateOptions, 'runner' | 'spec'>, command: readonly string[]): { runner: string; spec: Record<string, unknown> } {
  if (command.length) {
    if (opts.runner !== undefined || opts.spec !== undefined) throw new CliError(EXIT.usage, `a command (${command[0]}) and --runner/--spec: give one or the other`);
    return { runner: 'command', spec: { command: command[0], ...(command.length > 1 ? { args: command.slice(1) } : {}) } };
  }
  if (opts.runner !== undefined && opts.spec !== undefined) return { runner: opts.runner, spec: opts.spec };
  if (opts.runner !== undefined) throw new CliError(EXIT.usage, `--runner ${opts.runner} needs --spec JSON (the runner's spec)`);
  if (opts.spec !== undefined) throw new CliError(EXIT.usage, '--spec needs --runner (or give the command after -- instead)');
  throw new CliError(EXIT.usage, 'nothing to run: give the command after -- (cronfleet tasks create -- echo hello), --runner and --spec, or -f FILE');
}

async function createOne(ctx: Context, opts: CreateOptions, task: { runner: string; spec: Record<string, unknown> }): Promise<void> {
  const body = {
    ...task,
    ...inNamespace(ctx),
    ...timing(opts),
    ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
  };
  // created false: the idempotency key was used before, and this is the task made then.
  const { taskId: id, created } = await ctx.api.enqueue(body);
  ctx.show({ taskId: id, created }, () => {
    if (!created) return `task ${id} already exists with idempotency key '${opts.idempotencyKey}': nothing new was queued`;
    if (opts.at !== undefined) return `task ${id} queued to run at ${opts.at}`;
    if (opts.delay) return `task ${id} queued to run in ${duration(opts.delay * 1000)}`;
    return `task ${id} queued to run now (cronfleet tasks logs ${id} -f)`;
  });
}

async function createBatch(ctx: Context, opts: CreateOptions, file: string): Promise<ExitCode> {
  const source = file === '-' ? 'stdin' : file;
  const entries = parseTaskFile(await readSource(file), source);
  if (opts.atomic && entries.length > MAX_TASK_BATCH) {
    throw new CliError(EXIT.usage, `--atomic: ${source} holds ${entries.length} tasks; an atomic batch is one request of at most ${MAX_TASK_BATCH}: split the file, or leave out --atomic to send it in requests of ${MAX_TASK_BATCH}`);
  }
  const defaults: TaskDefaults = { ...inNamespace(ctx), ...timing(opts), timeoutSeconds: opts.timeout, priority: opts.priority };
  const sent = entries.map((e) => ({ at: e.at, body: withDefaults(e.body, defaults) }));
  const outcomes: TaskBatchOutcome[] = [];
  const report = () => ({ items: outcomes, ...countOutcomes(outcomes) });
  try {
    await sendTaskBatches(ctx.api, sent, Boolean(opts.atomic), source, (settled) => {
      outcomes.push(...settled);
      if (ctx.format === 'table') process.stdout.write(settled.map((o) => `${outcomeLine(o)}\n`).join(''));
    });
  } catch (e) {
    if (ctx.format !== 'table' && outcomes.length) ctx.show(report(), () => '');
    throw e;
  }
  const counts = countOutcomes(outcomes);
  ctx.show(report(), () => summaryLine(counts));
  return counts.refused ? EXIT.refused : EXIT.ok;
}

function timing(opts: Pick<CreateOptions, 'delay' | 'at'>): { delaySeconds?: number; runAt?: string } {
  if (opts.at !== undefined) return { runAt: opts.at };
  return opts.delay !== undefined ? { delaySeconds: opts.delay } : {};
}

/** `line 3: task 101 created`, `[4]: task 57 already existed (same idempotency key)`, `line 5: refused: spec.command: … (ValidationFailed)`. */
export function outcomeLine(o: TaskBatchOutcome): string {
  const at = positionLabel(o);
  if ('error' in o) return `${at}: refused: ${o.error.message} (${o.error.code})`;
  return `${at}: task ${o.taskId} ${o.created ? 'created' : 'already existed (same idempotency key)'}`;
}

export function countOutcomes(outcomes: readonly TaskBatchOutcome[]): { created: number; existed: number; refused: number } {
  const counts = { created: 0, existed: 0, refused: 0 };
  for (const o of outcomes) counts['error' in o ? 'refused' : o.created ? 'created' : 'existed']++;
  return counts;
}

function summaryLine(c: { created: number; existed: number; refused: number }): string {
  return `${c.created + c.existed + c.refused} task(s): ${c.created} created, ${c.existed} already existed, ${c.refused} refused`;
}

function durationArg(min: number, max: number, bounds: string) {
  return (v: string): number => {
    const seconds = parseDurationSeconds(v);
    if (seconds === null || seconds < min || seconds > max) throw new InvalidArgumentError(`must be a duration ${bounds}: ${DURATIONS}`);
    return seconds;
  };
}

/** `runAt` as the API checks it. */
const Instant = CreateTaskSchema.shape.runAt;

function instantArg(v: string): string {
  if (!Instant.safeParse(v).success) throw new InvalidArgumentError('must be an ISO-8601 instant with Z or an offset, e.g. 2026-03-08T07:00:00Z or 2026-03-08T08:00:00+01:00');
  return v;
}

function priorityArg(v: string): number {
  if (!/^-?\d+$/.test(v) || Math.abs(Number(v)) > 1000) throw new InvalidArgumentError('must be a whole number from -1000 to 1000');
  return Number(v);
}

function keyArg(v: string): string {
  const key = v.trim();
  if (key.length < 1 || key.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters (spaces around it are not counted)');
  return key;
}

function runnerArg(v: string): string {
  const r = AnyRunnerNameSchema.safeParse(v);
  if (!r.success) throw new InvalidArgumentError(r.error.issues[0].message);
  return v;
}

function specArg(v: string): Record<string, unknown> {
  let spec: unknown;
  try {
    spec = JSON.parse(v);
  } catch (e) {
    throw new InvalidArgumentError(`must be a JSON object (${(e as Error).message})`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new InvalidArgumentError('must be a JSON object, such as {"command":"echo","args":["hi"]}');
  return spec as Record<string, unknown>;
}
