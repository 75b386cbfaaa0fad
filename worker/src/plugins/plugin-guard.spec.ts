import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PluginTaskRun } from '@cronfleet/shared';
import { capture } from '../test-support/runner-harness';
import type { PluginRunner, RunnerResult, RunningTask } from '../runners/runner';
import { PluginGuard } from './plugin-guard';

function task(extra: Partial<PluginTaskRun> = {}): PluginTaskRun {
  return { taskId: 42, cronjobId: 7, cronjobName: 'nightly', attempt: 1, scheduledAtMs: 0, timeoutSeconds: null, env: {}, secretEnv: {}, shard: null, runner: 'fake', spec: {}, ...extra };
}

/** A plugin task that ends only when told, recording the calls it gets. */
function controllable(): { runner: PluginRunner; calls: string[]; end(result: unknown): void } {
  const calls: string[] = [];
  let end: (result: unknown) => void = () => {};
  const runner: PluginRunner = {
    name: 'fake',
    start(): RunningTask {
      const done = new Promise<RunnerResult>((resolve) => (end = resolve as (r: unknown) => void));
      return { done, stop: (ms) => void calls.push(`stop ${ms}`), kill: () => void calls.push('kill') };
    },
  };
  return { runner, calls, end: (r) => end(r) };
}

const guard = (runner: PluginRunner, logs: string[] = [], killWaitMs = 5000, timeoutGraceMs = 5000) =>
  new PluginGuard(runner, { log: (l) => logs.push(l), killWaitMs, timeoutGraceMs });

describe('PluginGuard', () => {
  it("answers the plugin's validate as a refusal: a message or a throw is InvalidSpec, a promise a PluginFailed", () => {
    const answers: unknown[] = [null, undefined, true, 'spec.query: required', new Error('spec.query: must be a string'), '', Promise.resolve(null)];
    let i = 0;
    const runner: PluginRunner = {
      name: 'sql',
      validate: () => {
        const a = answers[i++];
        if (a instanceof Error) throw a;
        return a as string | null;
      },
      start: () => assert.fail('never started'),
    };
    const g = guard(runner);
    const refusals = answers.map(() => g.refusal(task()));
    assert.deepEqual(refusals, [
      null,
      null,
      null,
      { code: 'InvalidSpec', message: 'spec.query: required', retryable: false },
      { code: 'InvalidSpec', message: 'spec.query: must be a string', retryable: false },
      { code: 'InvalidSpec', message: 'spec: refused by the sql runner', retryable: false },
      { code: 'PluginFailed', message: "plugin runner 'sql': validate() returned a promise; it must answer at once", retryable: false },
    ]);
  });

  it('fails the task, not the worker, when start throws or returns something that is not a RunningTask', async () => {
    const throwing: PluginRunner = { name: 'fake', start: () => { throw new Error('no connection'); } };
    assert.deepEqual(await guard(throwing).start(task(), capture()).done, {
      status: 'failed', exitCode: null, signal: null, error: { code: 'PluginFailed', message: "plugin runner 'fake': start() threw: no connection", retryable: false },
    });
    const shapeless = { name: 'fake', start: () => ({ done: 'soon' }) } as unknown as PluginRunner;
    const r = await guard(shapeless).start(task(), capture()).done;
    assert.equal(r.error?.message, "plugin runner 'fake': start() must return { done: Promise, stop(graceMs), kill() }");
  });

  it('turns a malformed or rejected result into a failed task, and keeps the fields the wire takes', async () => {
    const results: Array<[unknown, RunnerResult]> = [
      [{ status: 'ok' }, { status: 'failed', exitCode: null, signal: null, error: { code: 'PluginFailed', message: `plugin runner 'fake' ended the task with status "ok"; expected status 'success', 'failed', 'timeout' or 'killed'`, retryable: false } }],
      [undefined, { status: 'failed', exitCode: null, signal: null, error: { code: 'PluginFailed', message: `plugin runner 'fake' ended the task with undefined; expected status 'success', 'failed', 'timeout' or 'killed'`, retryable: false } }],
      [{ status: 'failed', exitCode: 2.5, signal: 9, error: 'disk full' }, { status: 'failed', exitCode: null, signal: null, error: { code: 'PluginFailed', message: 'disk full', retryable: false } }],
      [{ status: 'failed', exitCode: 3, error: { code: 'QueryFailed', message: 'syntax error', retryable: true } }, { status: 'failed', exitCode: 3, signal: null, error: { code: 'QueryFailed', message: 'syntax error', retryable: true } }],
    ];
    for (const [raw, expected] of results) {
      const p = controllable();
      const running = guard(p.runner).start(task(), capture());
      p.end(raw);
      assert.deepEqual(await running.done, expected, JSON.stringify(raw));
    }
    const rejecting: PluginRunner = { name: 'fake', start: () => ({ done: Promise.reject(new Error('socket hang up')), stop() {}, kill() {} }) };
    assert.deepEqual((await guard(rejecting).start(task(), capture()).done).error, { code: 'PluginFailed', message: 'socket hang up', retryable: false });
  });

  it('calls kill() itself when a stopped task still runs after the grace, and a shorter grace only brings it closer', async () => {
    const p = controllable();
    const running = guard(p.runner).start(task(), capture());
    running.stop(60_000);
    running.stop(30);
    running.stop(60_000);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(p.calls, ['stop 60000', 'kill'], "the plugin's stop once, then the kill at the shorter grace");
    p.end({ status: 'killed' });
    assert.equal((await running.done).status, 'killed');
  });

  it('reports a task the plugin does not end after kill() as killed, without waiting for it any longer', async () => {
    const p = controllable();
    const logs: string[] = [];
    const running = guard(p.runner, logs, 50).start(task(), capture());
    running.kill();
    assert.deepEqual(await running.done, { status: 'killed', exitCode: null, signal: null, error: { code: 'PluginUnresponsive', message: "plugin runner 'fake' did not end the task after kill()", retryable: false } });
    assert.deepEqual(logs, ["plugin runner 'fake': task 42 did not end within 0.05 s of kill(); reporting it killed without waiting any longer"]);
    p.end({ status: 'success' });
  });

  it('enforces timeoutSeconds: stop, then kill after the grace, reported timeout naming the limit even when the plugin says killed', async () => {
    const p = controllable();
    const running = guard(p.runner, [], 5000, 20).start(task({ timeoutSeconds: 1 }), capture());
    await new Promise((r) => setTimeout(r, 1100));
    assert.deepEqual(p.calls, ['stop 20', 'kill']);
    p.end({ status: 'killed' });
    const result = await running.done;
    assert.equal(result.status, 'timeout');
    assert.deepEqual(result.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
  });

  it('drops output after the task has ended and passes non-text output on as text', async () => {
    let io: { output(t: unknown): void } | null = null;
    const runner: PluginRunner = {
      name: 'fake',
      start(_t, i) {
        io = i as unknown as { output(t: unknown): void };
        io.output(42);
        return { done: Promise.resolve({ status: 'success' }), stop() {}, kill() {} };
      },
    };
    const out = capture();
    await guard(runner).start(task(), out).done;
    (io as { output(t: unknown): void } | null)?.output('late\n');
    assert.equal(out.text(), '42');
  });

  it('survives a stop() or kill() that throws, logging it', async () => {
    const logs: string[] = [];
    let end: (r: RunnerResult) => void = () => {};
    const runner: PluginRunner = {
      name: 'fake',
      start: () => ({ done: new Promise<RunnerResult>((r) => (end = r)), stop: () => { throw new Error('not supported'); }, kill: () => end({ status: 'killed' }) }),
    };
    const running = guard(runner, logs).start(task(), capture());
    running.stop(0);
    assert.equal((await running.done).status, 'killed');
    assert.deepEqual(logs, ["plugin runner 'fake': stop() of task 42 threw: not supported"]);
  });
});
