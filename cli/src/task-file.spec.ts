import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './cli-error';
import { parseTaskFile, positionLabel } from './task-file';

const echo = (text: string) => ({ runner: 'command', spec: { command: 'echo', args: [text] } });
const usageError = (message: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === EXIT.usage && message.test(e.message);

describe('parseTaskFile', () => {
  it('reads JSON Lines by line number, skipping blank lines', () => {
    const text = `${JSON.stringify(echo('a'))}\n\n${JSON.stringify(echo('b'))}\r\n"x"\n`;
    assert.deepEqual(parseTaskFile(text, 'f'), [
      { at: { line: 1 }, body: echo('a') },
      { at: { line: 3 }, body: echo('b') },
      { at: { line: 4 }, body: 'x' },
    ]);
  });

  it('reads a JSON array by index, and one body written over several lines as one task', () => {
    assert.deepEqual(parseTaskFile(`\uFEFF  [${JSON.stringify(echo('a'))},\n 7]`, 'f'), [
      { at: { index: 0 }, body: echo('a') },
      { at: { index: 1 }, body: 7 },
    ]);
    assert.deepEqual(parseTaskFile(`\n${JSON.stringify(echo('a'), null, 2)}\n`, 'f'), [{ at: { line: 2 }, body: echo('a') }]);
  });

  it('refuses a file that is none of these, naming the line, or that holds no task', () => {
    assert.throws(() => parseTaskFile(`${JSON.stringify(echo('a'))}\n{"runner":\n`, 'tasks.jsonl'), usageError(/^tasks\.jsonl line 2: not valid JSON \(/));
    assert.throws(() => parseTaskFile('[{"runner":"command"},', 'a.json'), usageError(/^a\.json: not a JSON array of tasks \(/));
    assert.throws(() => parseTaskFile(' \n\n', 'stdin'), usageError(/^stdin: holds no task/));
    assert.throws(() => parseTaskFile('[]', 'a.json'), usageError(/^a\.json: holds no task \(the array is empty\)/));
  });

  it('labels positions as editors and jq count them', () => {
    assert.equal(positionLabel({ line: 3 }), 'line 3');
    assert.equal(positionLabel({ index: 0 }), '[0]');
  });
});
