import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from './metrics';

const gauges = { isLeader: true, heapSize: 12, pending: 3, running: 2, workersOnline: 1 };
const sample = (text: string, line: string) => text.split('\n').find((l) => l.startsWith(line));

describe('Metrics', () => {
  it('counts task ends by status and runner, and the durations of those that started', async () => {
    const m = new Metrics();
    m.taskEnded('success', 'command', 1500);
    m.taskEnded('failed', 'http', 20);
    m.taskEnded('cancelled', 'command', null);
    const text = await m.render(gauges);
    assert.match(text, /^cronfleet_task_ends_total\{status="success",runner="command"\} 1$/m);
    assert.match(text, /^cronfleet_task_ends_total\{status="failed",runner="http"\} 1$/m);
    assert.match(text, /^cronfleet_task_ends_total\{status="cancelled",runner="command"\} 1$/m);
    assert.equal(sample(text, 'cronfleet_task_duration_seconds_count{runner="command"}'), 'cronfleet_task_duration_seconds_count{runner="command"} 1', 'a task that never started has no duration');
    assert.equal(sample(text, 'cronfleet_task_duration_seconds_sum{runner="command"}'), 'cronfleet_task_duration_seconds_sum{runner="command"} 1.5');
    const again = await m.render(gauges);
    assert.match(again, /^cronfleet_task_ends_total\{status="success",runner="command"\} 1$/m, 'counted once');
  });

  it('shows each namespace\'s jobs and running tasks, and its quotas only where set, forgetting a namespace gone', async () => {
    const m = new Metrics();
    const text = await m.render({
      ...gauges,
      namespaces: [
        { name: 'default', maxJobs: null, maxConcurrentTasks: null, usage: { jobs: 4, runningTasks: 1 } },
        { name: 'team-a', maxJobs: 10, maxConcurrentTasks: 2, usage: { jobs: 3, runningTasks: 2 } },
      ],
    });
    for (const line of [
      'cronfleet_namespace_jobs{namespace="default"} 4',
      'cronfleet_namespace_running_tasks{namespace="default"} 1',
      'cronfleet_namespace_jobs{namespace="team-a"} 3',
      'cronfleet_namespace_running_tasks{namespace="team-a"} 2',
      'cronfleet_namespace_max_jobs{namespace="team-a"} 10',
      'cronfleet_namespace_max_concurrent_tasks{namespace="team-a"} 2',
    ]) assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    assert.ok(!text.includes('cronfleet_namespace_max_jobs{namespace="default"}'), 'no quota, no series');
    const later = await m.render({ ...gauges, namespaces: [{ name: 'default', maxJobs: null, maxConcurrentTasks: null, usage: { jobs: 4, runningTasks: 0 } }] });
    assert.ok(!later.includes('team-a'), 'a deleted namespace leaves no series');
    const failed = await m.render(gauges);
    assert.ok(failed.includes('cronfleet_namespace_jobs{namespace="default"} 4'), 'a scrape without namespace figures keeps the last ones');
  });

  it('puts schedule lag into fine buckets at the low end and shows the gauges', async () => {
    const m = new Metrics();
    const due = Date.parse('2026-01-01T00:00:00Z');
    m.taskSent({ trigger: 'schedule', scheduledAt: new Date(due), runAt: null }, 0, due + 2);
    m.taskSent({ trigger: 'schedule', scheduledAt: new Date(due), runAt: null }, 0, due + 40);
    m.taskSent({ trigger: 'misfire', scheduledAt: new Date(due), runAt: null }, 0, due + 90_000);
    const text = await m.render(gauges);
    assert.equal(sample(text, 'cronfleet_schedule_lag_seconds_bucket{le="0.001"}'), 'cronfleet_schedule_lag_seconds_bucket{le="0.001"} 0');
    assert.equal(sample(text, 'cronfleet_schedule_lag_seconds_bucket{le="0.0025"}'), 'cronfleet_schedule_lag_seconds_bucket{le="0.0025"} 1');
    assert.equal(sample(text, 'cronfleet_schedule_lag_seconds_bucket{le="0.05"}'), 'cronfleet_schedule_lag_seconds_bucket{le="0.05"} 2');
    assert.equal(sample(text, 'cronfleet_schedule_lag_seconds_count'), 'cronfleet_schedule_lag_seconds_count 2');
    for (const line of ['cronfleet_leader 1', 'cronfleet_dispatcher_heap_entries 12', 'cronfleet_tasks_pending 3', 'cronfleet_tasks_running 2', 'cronfleet_workers_online 1']) {
      assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    }
    assert.match(text, /^process_resident_memory_bytes /m, 'default process metrics are there');
    const standby = await m.render({ isLeader: false, heapSize: null, pending: null, running: 0, workersOnline: 0 });
    assert.ok(standby.split('\n').includes('cronfleet_leader 0'));
    assert.ok(standby.split('\n').includes('cronfleet_dispatcher_heap_entries 0'));
  });
});
