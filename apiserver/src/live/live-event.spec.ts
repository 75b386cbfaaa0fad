import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter } from './live-event';
import { type LiveEvent, LiveFilterSchema } from '@cronfleet/shared';

const started: LiveEvent = { type: 'task.started', data: { taskId: 7, cronjobId: 3, namespace: 'default', workerId: 1, atMs: 0 } };
const oneShot: LiveEvent = { type: 'task.finished', data: { taskId: 8, cronjobId: null, namespace: 'team-a', status: 'success', atMs: 0 } };
const jobCreated: LiveEvent = { type: 'cronjob.created', data: { cronjobId: 3, name: 'backup', namespace: 'default' } };
const online: LiveEvent = { type: 'worker.online', data: { workerId: 1, name: 'w1', namespace: null } };
const leader: LiveEvent = { type: 'scheduler.leader', data: { instanceId: 'i1', leader: true, atMs: 0 } };
const filter = (q: Record<string, string>) => LiveFilterSchema.parse(q);

describe('live event filters', () => {
  it('passes a namespace filter only events of that namespace, and those of none (the scheduler, workers serving every namespace)', () => {
    const ns = filter({ namespace: 'team-a' });
    assert.ok(matchesFilter(oneShot, ns));
    assert.ok(!matchesFilter(started, ns));
    assert.ok(!matchesFilter(jobCreated, ns));
    assert.ok(matchesFilter(online, ns));
    assert.ok(matchesFilter(leader, ns));
    assert.throws(() => filter({ namespace: 'Team A' }), /lower-case/);
  });

  it('passes every event when no filter is given', () => {
    for (const e of [started, oneShot, jobCreated, online]) assert.ok(matchesFilter(e, filter({})));
  });

  it('matches types exactly, by prefix ending in a dot, and from a comma list', () => {
    assert.ok(matchesFilter(started, filter({ type: 'task.started' })));
    assert.ok(!matchesFilter(started, filter({ type: 'task.finished' })));
    assert.ok(matchesFilter(started, filter({ type: 'task.' })));
    assert.ok(!matchesFilter(online, filter({ type: 'task.' })));
    assert.ok(matchesFilter(online, filter({ type: 'cronjob., worker.online' })));
  });

  it('passes only events that carry the filtered cron job or task id', () => {
    assert.ok(matchesFilter(started, filter({ cronjobId: '3' })));
    assert.ok(matchesFilter(jobCreated, filter({ cronjobId: '3' })));
    assert.ok(!matchesFilter(oneShot, filter({ cronjobId: '3' })));
    assert.ok(!matchesFilter(online, filter({ cronjobId: '3' })));
    assert.ok(matchesFilter(oneShot, filter({ taskId: '8' })));
    assert.ok(!matchesFilter(started, filter({ taskId: '8' })));
    assert.ok(!matchesFilter(jobCreated, filter({ taskId: '8' })));
  });

  it('requires every given filter to match', () => {
    assert.ok(matchesFilter(started, filter({ cronjobId: '3', taskId: '7', type: 'task.started' })));
    assert.ok(!matchesFilter(started, filter({ cronjobId: '3', type: 'cronjob.' })));
  });

  it('refuses unknown types, prefixes without a dot, bad ids and unknown fields, naming the field', () => {
    const issue = (q: Record<string, unknown>) => {
      const r = LiveFilterSchema.safeParse(q);
      assert.ok(!r.success, `accepted ${JSON.stringify(q)}`);
      return String(r.error.issues[0].path[0] ?? '');
    };
    assert.equal(issue({ type: 'task.exploded' }), 'type');
    assert.equal(issue({ type: 'task' }), 'type');
    assert.equal(issue({ type: ',' }), 'type');
    assert.equal(issue({ cronjobId: 'abc' }), 'cronjobId');
    assert.equal(issue({ taskId: '0' }), 'taskId');
    assert.equal(issue({ status: 'x' }), '');
  });
});
