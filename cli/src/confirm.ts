import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CliError, EXIT } from './cli-error';

/** What {@link confirm} reads the answer from and asks on (the process's own by default). */
export interface ConfirmIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** `-y, --yes` on a command that deletes, revokes, cancels or kills: what {@link confirm} skips the question for. */
export function withYes(cmd: Command): Command {
  return cmd.option('-y, --yes', 'do it without asking (needed when standard input is not a terminal, as in scripts)');
}

/**
 * Asks whether to do `what` (`delete cron job 'backup' (id 3) and its task history`; or a function
 * that words it, after a read, only when it is needed) on a terminal, with `note` after the question,
 * and goes on only on `y` or `yes`. With `--yes` nothing is asked. When standard input is not a
 * terminal (a script, a pipe, cron) it refuses at once (exit 2), naming --yes, rather than wait for
 * an answer nobody will type. Any other answer, or the end of input, leaves everything as it was (exit 1).
 */
export async function confirm(
  what: string | (() => Promise<string>),
  opts: { yes?: boolean },
  more: { note?: string; io?: ConfirmIo } = {},
): Promise<void> {
  if (opts.yes) return;
  const io = more.io ?? { input: process.stdin, output: process.stderr };
  const action = typeof what === 'string' ? what : await what();
  if (!io.input.isTTY) {
    throw new CliError(EXIT.usage, `${action}: not done: this asks for confirmation and standard input is not a terminal; add --yes (-y) to do it without asking`);
  }
  const answer = await ask(`${action}?${more.note ? ` (${more.note})` : ''} [y/N] `, io);
  if (answer !== null && /^\s*y(es)?\s*$/i.test(answer)) return;
  throw new CliError(EXIT.refused, 'not confirmed: nothing was done');
}

/** One line typed after `prompt`; null at end of input (Ctrl-D) or on Ctrl-C. */
function ask(prompt: string, io: ConfirmIo): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: Boolean(io.output.isTTY && io.input.isTTY) });
    let answered = false;
    rl.once('close', () => {
      if (answered) return;
      // The prompt's line is left open: end it.
      io.output.write('\n');
      resolve(null);
    });
    rl.on('SIGINT', () => rl.close());
    rl.question(prompt, (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
  });
}
