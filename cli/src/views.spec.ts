import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiTokenView, CronJobView, TaskView, WorkerView, WorkflowView } from '@cronfleet/shared';
import type { NamespaceView } from './namespace';
import { namespaceDetail, namespaceTable } from './namespace-views';
import { cronJobTable, taskTable, tokenTable, workerDetail, workerTable } from './views';
import { workflowTable } from './workflow-views';

const NOW = Date.parse('2026-03-08T12:00:00Z');
/** The header's cells and each row's cells of a table, split at its column starts. */
const cells = (text: string): string[][] => {
  const [head, ...rows] = text.split('\n');
  const starts = [...head.matchAll(/(?:^|\s{2})(\S)/g)].map((m) => (m.index ?? 0) + m[0].indexOf(m[1]));
  const split = (l: string) => starts.map((s, i) => l.slice(s, starts[i + 1]).trim());
  return [split(head), ...rows.map(split)];
};
const worker = (id: number, namespace: string | null): WorkerView =>
  ({ id, namespace, name: `w${id}`, status: 'online', drained: false, shuttingDown: false, running: 0, capacity: 4, labels: {}, runners: ['command'], lastHeartbeatAt: null, hostname: 'h', version: '1', stats: null, enrolment: { state: 'enrolled', enrolledAt: '2026-03-01T00:00:00.000Z', revokedAt: null } }) as unknown as WorkerView;

describe('NAMESPACE columns', () => {
  it('lists cron jobs with their namespace after the id', () => {
    const job = { id: 4, namespace: 'team-a', name: 'backup', schedule: '0 2 * * *', timezone: 'UTC', runner: 'command', enabled: false, nextRunAt: null } as unknown as CronJobView;
    const [head, row] = cells(cronJobTable([job], NOW));
    assert.deepEqual(head.slice(0, 3), ['ID', 'NAMESPACE', 'NAME']);
    assert.deepEqual(row.slice(0, 3), ['4', 'team-a', 'backup']);
  });

  it('lists tasks and workflows with their namespace', () => {
    const task = { id: 9, namespace: 'team-a', cronjobId: 4, cronjobName: 'backup', workflow: null, status: 'pending', attempt: 1, trigger: 'schedule', workerId: null, startedAt: null, finishedAt: null, pendingReason: "namespace 'team-a' is at its quota of 2 concurrent tasks", exitCode: null, signal: null, error: null } as unknown as TaskView;
    const [head, row] = cells(taskTable([task], new Map(), NOW));
    assert.deepEqual([head[1], row[1]], ['NAMESPACE', 'team-a']);
    const wf = { id: 2, namespace: 'ops', name: 'etl', schedule: null, timezone: 'UTC', enabled: true, steps: [], nextRunAt: null } as unknown as WorkflowView;
    const [wHead, wRow] = cells(workflowTable([wf], NOW));
    assert.deepEqual([wHead[1], wRow[1], wRow[2]], ['NAMESPACE', 'ops', 'etl']);
  });

  it('shows a worker and a token of every namespace as *', () => {
    const [wHead, shared, own] = cells(workerTable([worker(1, null), worker(2, 'team-a')], NOW));
    assert.deepEqual([wHead[1], shared[1], own[1]], ['NAMESPACE', '*', 'team-a']);
    const token = (id: number, namespace: string | null) => ({ id, namespace, name: `t${id}`, role: 'viewer', hint: 'cft_ab', createdBy: 'admin', createdAt: '2026-03-01T00:00:00Z', expiresAt: null, lastUsedAt: null, revokedAt: null }) as ApiTokenView;
    const [tHead, wide, scoped] = cells(tokenTable([token(1, null), token(2, 'team-a')], NOW));
    assert.deepEqual([tHead[1], wide[1], scoped[1], scoped[2]], ['NAMESPACE', '*', 'team-a', 't2']);
  });
});

describe('workers', () => {
  it('lists each worker with the state of its credential, never the credential', () => {
    const open = { ...worker(3, null), enrolment: { state: 'open', enrolledAt: null, revokedAt: null } } as WorkerView;
    const revoked = { ...worker(4, null), status: 'offline', enrolment: { state: 'revoked', enrolledAt: '2026-03-01T00:00:00.000Z', revokedAt: '2026-03-02T00:00:00.000Z' } } as WorkerView;
    const rows = cells(workerTable([worker(1, null), open, revoked], NOW));
    assert.deepEqual(rows.map((r) => [r[2], r[3], r[4]]), [['NAME', 'STATUS', 'CREDENTIAL'], ['w1', 'online', 'enrolled'], ['w3', 'online', 'open'], ['w4', 'offline', 'revoked']]);
  });

  it('says in the detail when the credential was issued or revoked, and what follows', () => {
    const detail = (w: WorkerView) => workerDetail({ ...w, tasks: [] }, NOW).split('\n').find((l) => l.startsWith('Credential'));
    assert.match(detail(worker(1, null)) ?? '', /^Credential: +enrolled 2026-03-01T00:00:00\.000Z \(/);
    assert.match(detail({ ...worker(2, null), enrolment: { state: 'revoked', enrolledAt: null, revokedAt: '2026-03-02T00:00:00.000Z' } }) ?? '', /revoked 2026-03-02T00:00:00\.000Z .*refused until it is re-enrolled$/);
    assert.match(detail({ ...worker(3, null), enrolment: { state: 'open', enrolledAt: null, revokedAt: null } }) ?? '', /open: its next hello is issued a credential$/);
  });
});

describe('namespaces table', () => {
  const ns = (over: Partial<NamespaceView>): NamespaceView => ({ name: 'default', description: null, maxJobs: null, maxConcurrentTasks: null, usage: { jobs: 0, workflows: 0, runningTasks: 0 }, createdAt: '2026-03-01T00:00:00Z', updatedAt: '2026-03-01T00:00:00Z', ...over });

  it('shows usage from the view and - for no quota or description', () => {
    const text = namespaceTable([ns({ usage: { jobs: 3, workflows: 1, runningTasks: 2 } }), ns({ name: 'team-a', description: 'the A team', maxJobs: 10, maxConcurrentTasks: 2, usage: { jobs: 7, workflows: 0, runningTasks: 2 } })]);
    assert.deepEqual(cells(text), [
      ['NAME', 'JOBS', 'RUNNING', 'MAX JOBS', 'MAX CONCURRENT', 'DESCRIPTION'],
      ['default', '3', '2', '-', '-', '-'],
      ['team-a', '7', '2', '10', '2', 'the A team'],
    ]);
    assert.equal(namespaceTable([]), 'no namespaces');
  });

  it('shows one namespace with its usage against its quotas', () => {
    const text = namespaceDetail(ns({ name: 'team-a', maxJobs: 10, usage: { jobs: 7, workflows: 1, runningTasks: 0 } }), NOW);
    assert.match(text, /^Cron jobs: +7 of 10$/m);
    assert.match(text, /^Running tasks: +0 \(no quota\)$/m);
    assert.match(text, /^Workflows: +1$/m);
  });
});

describe('tasks: RESULT', () => {
  const ended = (over: Partial<TaskView>): TaskView =>
    ({ id: 9, namespace: 'default', cronjobId: 4, cronjobName: 'ping', workflow: null, status: 'success', attempt: 1, trigger: 'schedule', runner: 'command', workerId: null, startedAt: '2026-03-08T11:59:59.000Z', finishedAt: '2026-03-08T12:00:00.000Z', pendingReason: null, exitCode: null, signal: null, httpStatus: null, error: null, ...over }) as TaskView;
  const resultOf = (t: TaskView) => cells(taskTable([t], new Map(), NOW))[1].at(-1);

  it("says an http task's response status where a command's says its exit code", () => {
    assert.equal(resultOf(ended({ runner: 'command', exitCode: 0 })), 'exit 0');
    assert.equal(resultOf(ended({ runner: 'http', httpStatus: 204 })), 'HTTP 204');
    assert.equal(resultOf(ended({ runner: 'http', status: 'failed', httpStatus: 503, error: { code: 'UnexpectedStatus', message: 'HTTP 503 Service Unavailable, expected 200-299', retryable: false } })), 'HTTP 503 UnexpectedStatus');
    assert.equal(resultOf(ended({ runner: 'http', status: 'failed', error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED', retryable: true } })), 'ECONNREFUSED', 'no response: no status');
  });
});
