import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateCronJobSchema, CreateTaskSchema } from '@cronfleet/shared';
import { validSpec } from './runner-spec';

const refusal = (runner: string, spec: unknown): string => {
  try {
    validSpec(runner, spec);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'ValidationFailed');
    return (e as Error).message;
  }
  assert.fail(`accepted the spec of runner ${runner}`);
};

describe('validSpec', () => {
  it("checks a built-in runner's spec by its schema, filling in defaults", () => {
    assert.deepEqual(validSpec('command', { command: 'true' }), { command: 'true', args: [], env: {}, shell: false });
    assert.equal(refusal('command', { command: 'true', sql: 'select 1' }), 'spec.sql: unknown field');
  });

  it("takes a plugin runner's spec as given, checking only that it is a bounded JSON object", () => {
    const spec = { query: 'select 1', params: [1, 'a', null], options: { timeoutSeconds: 5 } };
    assert.deepEqual(validSpec('sql', spec), spec);
    assert.equal(refusal('sql', ['select 1']), 'spec: must be an object');
    assert.equal(refusal('sql', { query: 'x'.repeat(70_000) }), 'spec: must be at most 65536 bytes as JSON, got 70012');
  });
});

describe('the runner of a job or one-shot task', () => {
  const job = { name: 'nightly', schedule: '@daily', spec: {} };
  it('may name a plugin runner', () => {
    assert.equal(CreateCronJobSchema.parse({ ...job, runner: 'signed-webhook' }).runner, 'signed-webhook');
    assert.equal(CreateTaskSchema.parse({ runner: 'sleep', spec: { seconds: 1 } }).runner, 'sleep');
  });

  it('is refused, naming the field and the rule, when it is not a runner name', () => {
    for (const runner of ['Sleep', 'my_runner', '', 'x'.repeat(33), '1password']) {
      const r = CreateCronJobSchema.safeParse({ ...job, runner });
      assert.equal(r.success, false, runner);
      assert.deepEqual(r.error?.issues.map((i) => [i.path.join('.'), i.message]), [
        ['runner', "must be a built-in runner (command, script, docker, http) or a plugin runner's name: a lowercase letter, then up to 31 lowercase letters, digits or '-'"],
      ]);
    }
  });
});
