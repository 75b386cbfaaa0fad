import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import type { TaskEntity } from '../tasks/task.entity';
import { Metrics } from './metrics';

/**
 * The tasks table is replaced by a map here: the unit under test is the counting and the text
 * format; reading runners back from MySQL is covered by test/e2e/observability.e2e-spec.ts.
 */
function fakeTasks(rows: Partial<TaskEntity>[]) {
  let queries = 0;
  const ds = {
    getRepository: () => ({
      find: async (opts: { where: { id: { value: number[] } } }) => {
        queries++;
        return rows.filter((r) => opts.where.id.value.includes(r.id!));
      },
    }),
  } as unknown as DataSource;
  return { ds, queries: () => queries };
}

const gauges = { isLeader: true, heapSize: 12, pending: 3, running: 2, workersOnline: 1 };
const sample = (text: string, line: string) => text.split('\n').find((l) => l.startsWith(line));

describe('Metrics', () => {
  it('counts task ends by status and runner and their durations, reading runners once per batch', async () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const db = fakeTasks([
      { id: 1, runner: 'command', startedAt: new Date(t0), finishedAt: new Date(t0 + 1500) },
      { id: 2, runner: 'http', startedAt: new Date(t0), finishedAt: new Date(t0 + 20) },
      { id: 3, runner: 'command', startedAt: null, finishedAt: new Date(t0) },
    ]);
    const m = new Metrics(db.ds);
    m.taskEnded(1, 'success');
    m.taskEnded(2, 'failed');
    m.taskEnded(3, 'cancelled');
    m.taskEnded(99, 'lost');
    const text = await m.render(gauges);
    assert.equal(db.queries(), 1);
    assert.match(text, /^cronfleet_task_ends_total\{status="success",runner="command"\} 1$/m);
    assert.match(text, /^cronfleet_task_ends_total\{status="failed",runner="http"\} 1$/m);
    assert.match(text, /^cronfleet_task_ends_total\{status="cancelled",runner="command"\} 1$/m);
    assert.match(text, /^cronfleet_task_ends_total\{status="lost",runner="unknown"\} 1$/m, 'a task gone from the table still counts');
    assert.equal(sample(text, 'cronfleet_task_duration_seconds_count{runner="command"}'), 'cronfleet_task_duration_seconds_count{runner="command"} 1', 'a task that never started has no duration');
    assert.equal(sample(text, 'cronfleet_task_duration_seconds_sum{runner="command"}'), 'cronfleet_task_duration_seconds_sum{runner="command"} 1.5');
    const again = await m.render(gauges);
    assert.equal(db.queries(), 1, 'nothing new: no query');
    assert.match(again, /^cronfleet_task_ends_total\{status="success",runner="command"\} 1$/m);
  });

  it('shows each namespace\'s jobs and running tasks, and its quotas only where set, forgetting a namespace gone', async () => {
    const m = new Metrics(fakeTasks([]).ds);
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
    const m = new Metrics(fakeTasks([]).ds);
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
