import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBuiltinTask, TaskRunSchema } from './messages';
import { AnyRunnerNameSchema, MAX_PLUGIN_SPEC_BYTES, PluginSpecSchema, RunnerWithSpecSchema } from './runners';
import { parseBatch, parseWith } from './validate';

const base = { taskId: 5, cronjobId: null, cronjobName: null, attempt: 1, scheduledAtMs: 1_700_000_000_000, timeoutSeconds: null };
const problem = (data: unknown): string => {
  const r = parseWith(TaskRunSchema, data, 'task:run');
  if (r.ok) assert.fail(`accepted a task of runner ${r.value.runner}`);
  return r.error.message;
};

describe('runner specs on the wire', () => {
  it('keeps the built-in runners strict: unknown fields and bad values are named under spec', () => {
    assert.equal(problem({ ...base, runner: 'command', spec: { command: '', extra: 1 } }), 'task:run: spec.command: must not be empty; spec.extra: unknown field');
    assert.equal(problem({ ...base, runner: 'http', spec: { url: 'ftp://x' } }), 'task:run: spec.url: must be an http:// or https:// URL');
    assert.equal(problem({ ...base, runner: 'command', spec: { args: ['x'] } }), 'task:run: spec.command: required');
    assert.equal(problem({ ...base, runner: 'command', spec: { command: 7 } }), 'task:run: spec.command: must be a string');
    assert.equal(problem({ ...base, runner: 'docker', spec: {} }), 'task:run: spec.image: required');
    const r = parseWith(TaskRunSchema, { ...base, runner: 'command', spec: { command: 'true' } }, 'task:run');
    assert.ok(r.ok && isBuiltinTask(r.value));
    assert.deepEqual(r.ok && r.value.spec, { command: 'true', args: [], env: {}, shell: false }, 'defaults filled in');
  });

  it("takes any other well-formed name as a plugin runner, with its spec as given", () => {
    const spec = { seconds: 3, nested: { list: [1, 'two', null, { deep: true }] } };
    const r = parseWith(TaskRunSchema, { ...base, runner: 'sleep', spec }, 'task:run');
    assert.ok(r.ok);
    assert.equal(isBuiltinTask(r.value), false);
    assert.deepEqual([r.value.runner, r.value.spec, r.value.env, r.value.secretEnv], ['sleep', spec, {}, {}]);
  });

  it('refuses a runner name outside the pattern, and a plugin spec that is not an object', () => {
    assert.match(problem({ ...base, runner: 'Sleep', spec: {} }), /^task:run: runner: must be a built-in runner \(command, script, docker, http\) or a plugin runner's name/);
    assert.match(problem({ ...base, runner: `a${'b'.repeat(32)}`, spec: {} }), /^task:run: runner: /, '33 characters: longer than the runner columns');
    assert.match(problem({ ...base, runner: '-x', spec: {} }), /^task:run: runner: /);
    assert.equal(problem({ ...base, runner: 'sleep', spec: [1] }), 'task:run: spec: must be an object');
    assert.equal(problem({ ...base, runner: 'sleep', spec: 'seconds=3' }), 'task:run: spec: must be an object');
    assert.equal(problem({ ...base, runner: 'sleep' }), 'task:run: spec: must be an object');
  });

  it('bounds a plugin spec: at most 64 KiB as JSON and 32 levels deep', () => {
    const fits = { text: 'x'.repeat(MAX_PLUGIN_SPEC_BYTES - 11) };
    assert.equal(JSON.stringify(fits).length, MAX_PLUGIN_SPEC_BYTES);
    assert.ok(PluginSpecSchema.safeParse(fits).success);
    assert.equal(problem({ ...base, runner: 'sleep', spec: { text: 'é'.repeat(MAX_PLUGIN_SPEC_BYTES / 2) } }), `task:run: spec: must be at most 65536 bytes as JSON, got ${MAX_PLUGIN_SPEC_BYTES + 11}`);
    const nest = (levels: number): Record<string, unknown> => {
      let v: Record<string, unknown> = {};
      for (let i = 1; i < levels; i++) v = { v };
      return v;
    };
    assert.ok(PluginSpecSchema.safeParse(nest(32)).success, '32 levels, the spec itself the first');
    assert.equal(problem({ ...base, runner: 'sleep', spec: nest(33) }), 'task:run: spec: must nest objects and arrays at most 32 levels deep');
    assert.equal(problem({ ...base, runner: 'sleep', spec: nest(100_000) }), 'task:run: spec: must nest objects and arrays at most 32 levels deep', 'no stack overflow');
  });

  it('refuses one bad plugin task of a batch without refusing the others', () => {
    const r = parseBatch('task:runs', { tasks: [{ ...base, runner: 'sleep', spec: { seconds: 1 } }, { ...base, taskId: 6, runner: 'sleep', spec: 3 }] });
    assert.ok(r.ok);
    assert.deepEqual(r.items.map((i) => i.ok), [true, false]);
    assert.equal(!r.items[1]?.ok && r.items[1]?.error.message, 'task:runs: tasks[1]: spec: must be an object');
  });

  it('names the runner of a job the same way at the REST edge', () => {
    assert.ok(AnyRunnerNameSchema.safeParse('http').success);
    assert.ok(AnyRunnerNameSchema.safeParse('signed-webhook').success);
    assert.equal(AnyRunnerNameSchema.safeParse('my_runner').success, false);
    assert.ok(RunnerWithSpecSchema.safeParse({ runner: 'docker', spec: { image: 'alpine' } }).success);
  });
});
