import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RetryPolicy } from '@cronfleet/shared';
import { planRun, unitState, type PlanStep, type StepTask } from './run-plan';

const step = (id: string, dependsOn: string[] = [], extra: Partial<PlanStep> = {}): PlanStep => ({ id, dependsOn, when: 'success', retry: null, group: null, ...extra });
const retry = (maxRetries: number): RetryPolicy => ({ maxRetries, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 10, jitter: false });
let nextId = 1;
const task = (s: string, status: string, attempt = 1, item: number | null = null): StepTask => ({ id: nextId++, step: s, item, attempt, status });
const created = (p: ReturnType<typeof planRun>) => p.create.map((c) => `${c.step}${c.item === null ? '' : `[${c.item}]`}#${c.attempt}${c.retryOf ? ' retry' : ''}`);

// a → (b, c) → d
const diamond = [step('d', ['b', 'c']), step('b', ['a']), step('c', ['a']), step('a')];

describe('planRun', () => {
  it('starts a diamond from its root, in dependency order whatever the order of definition', () => {
    assert.deepEqual(created(planRun(diamond, [])), ['a#1']);
    assert.deepEqual(created(planRun(diamond, [task('a', 'running')])), []);
    assert.deepEqual(created(planRun(diamond, [task('a', 'success')])), ['b#1', 'c#1']);
    const joined = planRun(diamond, [task('a', 'success'), task('b', 'success'), task('c', 'pending')]);
    assert.deepEqual([created(joined), joined.outcome], [[], 'running'], 'the join waits for both branches');
    assert.deepEqual(created(planRun(diamond, [task('a', 'success'), task('b', 'success'), task('c', 'success')])), ['d#1']);
    const done = planRun(diamond, ['a', 'b', 'c', 'd'].map((s) => task(s, 'success')));
    assert.deepEqual([created(done), done.outcome], [[], 'success']);
  });

  it('retries a failed attempt while the policy allows, then lets the failure through', () => {
    const steps = [step('build', [], { retry: retry(2) }), step('deploy', ['build']), step('alert', ['build'], { when: 'failure' })];
    const first = planRun(steps, [task('build', 'failed', 1)]);
    assert.deepEqual(created(first), ['build#2 retry']);
    assert.equal(first.create[0].retryOf!.attemptsMade, 1);
    assert.equal(first.states.get('build'), 'running', 'a step with a retry coming is still running');
    assert.deepEqual(created(planRun(steps, [task('build', 'failed', 1), task('build', 'timeout', 2)])), ['build#3 retry']);
    const out = planRun(steps, [task('build', 'failed', 1), task('build', 'timeout', 2), task('build', 'lost', 3)]);
    assert.deepEqual([created(out), out.skip], [['alert#1'], ['deploy']], 'out of retries: the failure branch runs, the happy path is skipped');
    const killed = planRun(steps, [task('build', 'killed', 1)]);
    assert.deepEqual(created(killed), ['alert#1'], 'a killed attempt is never retried');
    assert.equal(killed.states.get('build'), 'killed', 'and its step reads killed, not failed');
  });

  it('runs a group over its members at most maxParallel at a time and decides it at K successes, stopping the rest', () => {
    const group = { size: 5, policy: { mode: 'atLeast', count: 3 } as const, maxParallel: 2 };
    const steps = [step('fan', [], { group }), step('after', ['fan'])];
    assert.deepEqual(created(planRun(steps, [])), ['fan[0]#1', 'fan[1]#1']);
    const m = (item: number, status: string) => task('fan', status, 1, item);
    assert.deepEqual(created(planRun(steps, [m(0, 'failed'), m(1, 'running')])), ['fan[2]#1'], 'one ended: one more starts');
    const mid = planRun(steps, [m(0, 'failed'), m(1, 'success'), m(2, 'success'), m(3, 'failed'), m(4, 'running')]);
    assert.deepEqual([mid.states.get('fan'), created(mid)], ['running', []], 'two successes, one member left that can still make three');
    const lost = planRun(steps, [m(0, 'failed'), m(1, 'success'), m(2, 'failed'), m(3, 'failed'), m(4, 'running')]);
    assert.equal(lost.states.get('fan'), 'failed', 'three can no longer succeed');
    const [pending, running] = [m(3, 'pending'), m(4, 'running')];
    const won = planRun(steps, [m(0, 'success'), m(1, 'success'), m(2, 'success'), pending, running]);
    assert.deepEqual([won.states.get('fan'), won.stop, created(won)], ['success', [pending.id, running.id], ['after#1']]);
    assert.deepEqual(won.groups.get('fan'), { succeeded: 3, failed: 0, running: 2, waiting: 0 });
  });

  it('reads a group killed when only its killed or cancelled members made it fail, and failed when it failed on its own', () => {
    const group = { size: 3, policy: { mode: 'all' } as const, maxParallel: null };
    const steps = [step('fan', [], { group }), step('alert', ['fan'], { when: 'failure' })];
    const m = (item: number, status: string) => task('fan', status, 1, item);
    const killed = planRun(steps, [m(0, 'success'), m(1, 'killed'), m(2, 'cancelled')]);
    assert.deepEqual([killed.states.get('fan'), killed.groups.get('fan'), created(killed)], ['killed', { succeeded: 1, failed: 2, running: 0, waiting: 0 }, ['alert#1']]);
    const failedFirst = planRun(steps, [m(0, 'failed'), m(1, 'killed'), m(2, 'success')]);
    assert.equal(failedFirst.states.get('fan'), 'failed', 'a member failed on its own: the kill of another changed nothing');
    const won = planRun([step('any', [], { group: { size: 3, policy: { mode: 'any' }, maxParallel: null } })], [task('any', 'success', 1, 0), task('any', 'killed', 1, 1), task('any', 'killed', 1, 2)]);
    assert.equal(won.states.get('any'), 'success', 'members stopped once no longer needed do not change a success');
  });

  it('retries group members one by one under the same bound', () => {
    const steps = [step('fan', [], { retry: retry(1), group: { size: 3, policy: { mode: 'all' }, maxParallel: 2 } })];
    const p = planRun(steps, [task('fan', 'failed', 1, 0), task('fan', 'running', 1, 1)]);
    assert.deepEqual(created(p), ['fan[0]#2 retry'], 'the retry takes the free place, member 2 waits');
    const allOut = planRun(steps, [task('fan', 'failed', 1, 0), task('fan', 'failed', 2, 0), task('fan', 'running', 1, 1)]);
    assert.equal(allOut.states.get('fan'), 'failed', 'all: one member out of retries fails the group');
  });

  it('a retried run runs again only the steps that did not succeed, from the raised floor', () => {
    const rows = [task('a', 'success'), task('b', 'failed'), task('c', 'success')];
    const failed = planRun(diamond, rows);
    assert.deepEqual([failed.outcome, failed.skip], ['failed', ['d']]);
    const again = planRun(diamond, rows, { b: 2, d: 1 });
    assert.deepEqual(created(again), ['b#2']);
    const after = planRun(diamond, [...rows, task('b', 'success', 2)], { b: 2 });
    assert.deepEqual(created(after), ['d#1']);
  });

  it('keeps the members of a group that succeeded before a retry and runs the others again', () => {
    const steps = [step('fan', [], { group: { size: 3, policy: { mode: 'all' }, maxParallel: null } })];
    const rows = [task('fan', 'success', 1, 0), task('fan', 'failed', 1, 1), task('fan', 'success', 1, 2)];
    assert.equal(planRun(steps, rows).outcome, 'failed');
    const again = planRun(steps, rows, { fan: 2 });
    assert.deepEqual(created(again), ['fan[1]#2']);
    assert.equal(planRun(steps, [...rows, task('fan', 'success', 2, 1)], { fan: 2 }).outcome, 'success');
  });

  it('a cancelled step task skips what depends on it and the run ends cancelled', () => {
    const p = planRun(diamond, [task('a', 'success'), task('b', 'cancelled'), task('c', 'success')]);
    assert.deepEqual([p.skip, p.outcome], [['d'], 'cancelled']);
  });
});

describe('unitState', () => {
  it('takes the latest attempt of the round, remembers earlier successes, and numbers the next attempt past all', () => {
    assert.deepEqual(unitState([], 1, null), { state: 'waiting', next: 1, retryOf: null, live: null });
    const t = task('x', 'pending', 3);
    assert.deepEqual(unitState([task('x', 'failed', 1), task('x', 'failed', 2), t], 1, retry(5)), { state: 'running', next: 4, retryOf: null, live: t.id });
    assert.equal(unitState([task('x', 'success', 1)], 2, null).state, 'success');
    assert.equal(unitState([task('x', 'failed', 1)], 2, null).state, 'waiting');
    assert.equal(unitState([task('x', 'failed', 1)], 2, null).next, 2);
  });
});
