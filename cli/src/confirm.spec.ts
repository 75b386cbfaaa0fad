import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CliError, EXIT } from './cli-error';
import { confirm, type ConfirmIo } from './confirm';

/** An input that says it is a terminal (or not), fed `typed`, and the text written as the prompt. */
function terminal(typed: string | null, isTTY = true): { io: ConfirmIo; asked: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let asked = '';
  output.on('data', (c: Buffer) => (asked += c.toString()));
  if (typed === null) setImmediate(() => input.end());
  else setImmediate(() => input.write(typed));
  return { io: { input, output }, asked: () => asked };
}

const refusal = (code: number, message: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === code && message.test(e.message);

describe('confirm', () => {
  it('asks on a terminal and goes on at y or yes, whatever the case', async () => {
    for (const answer of ['y\n', 'yes\n', 'Y\n', ' YES \n']) {
      const t = terminal(answer);
      await confirm("delete cron job 'backup' (id 3)", {}, { io: t.io, note: 'its versions stay' });
      assert.equal(t.asked(), "delete cron job 'backup' (id 3)? (its versions stay) [y/N] ");
    }
  });

  it('does nothing on any other answer, an empty one or the end of input (exit 1)', async () => {
    for (const answer of ['n\n', '\n', 'yep\n', null]) {
      await assert.rejects(confirm('delete it', {}, { io: terminal(answer).io }), refusal(EXIT.refused, /^not confirmed: nothing was done$/));
    }
  });

  it('refuses at once when standard input is not a terminal, naming --yes (exit 2), so a script never hangs', async () => {
    const t = terminal(null, false);
    await assert.rejects(confirm(async () => "delete cron job 'backup' (id 3)", {}, { io: t.io }), refusal(EXIT.usage, /^delete cron job 'backup' \(id 3\): not done: .*standard input is not a terminal; add --yes \(-y\)/));
    assert.equal(t.asked(), '', 'nothing asked');
  });

  it('asks nothing with --yes, terminal or not', async () => {
    for (const tty of [true, false]) {
      const t = terminal(null, tty);
      await confirm(() => Promise.reject(new Error('not read with --yes')), { yes: true }, { io: t.io });
      assert.equal(t.asked(), '');
    }
  });
});
