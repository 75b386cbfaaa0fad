import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainResult, MAX_RESULT_BYTES, resultEnv } from './chain-result';

describe('chainResult', () => {
  it('takes the last marked JSON object over anything else', () => {
    const out = 'working\n::cronfleet-result::{"rows": 1}\n::cronfleet-result:: {"rows": 42, "file": "a.csv"}\ndone\n';
    assert.deepEqual(chainResult(out), { kind: 'json', value: { rows: 42, file: 'a.csv' }, text: '{"rows": 42, "file": "a.csv"}' });
  });

  it('falls back to the last non-empty line, and to nothing', () => {
    assert.deepEqual(chainResult('a\nlast one  \n\n'), { kind: 'line', text: 'last one' });
    assert.deepEqual(chainResult('\n\n'), { kind: 'none' });
  });

  it('says what is wrong with a bad marked result instead of passing half of it', () => {
    assert.match((chainResult('::cronfleet-result::{nope') as { message: string }).message, /not JSON/);
    assert.match((chainResult('::cronfleet-result::[1,2]') as { message: string }).message, /JSON object/);
    assert.match((chainResult(`::cronfleet-result::{"a":"${'x'.repeat(MAX_RESULT_BYTES)}"}`) as { message: string }).message, /longer than/);
  });

  it('cuts a long unmarked last line to the bound', () => {
    const r = chainResult('é'.repeat(MAX_RESULT_BYTES));
    assert.equal(r.kind, 'line');
    assert.ok(Buffer.byteLength((r as { text: string }).text) <= MAX_RESULT_BYTES);
  });
});

describe('resultEnv', () => {
  it('passes the text and each top-level scalar of a JSON result', () => {
    const env = resultEnv({ kind: 'json', value: { rows: 42, 'out-file': 'a.csv', nested: { x: 1 }, ok: true }, text: '{…}' }, { taskId: 7, status: 'success' });
    assert.deepEqual(env, {
      CRONFLEET_UPSTREAM_TASK_ID: '7',
      CRONFLEET_UPSTREAM_STATUS: 'success',
      CRONFLEET_UPSTREAM_RESULT: '{…}',
      CRONFLEET_RESULT_ROWS: '42',
      CRONFLEET_RESULT_OUT_FILE: 'a.csv',
      CRONFLEET_RESULT_OK: 'true',
    });
  });
});
