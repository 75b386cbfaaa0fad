import { wallClock, type ApiTokenView, type CronJobView, type TaskView, type WorkerDetailView, type WorkerView } from '@cronfleet/shared';
import { namespaceLabel } from './namespace';
import { bytes, describe, duration, keyValues, ranFor, relative, section, table, truncate, when } from './format';

// Human renderings of the API's objects for `-o table`. JSON and YAML output never pass through here.

export function cronJobTable(jobs: readonly CronJobView[], nowMs: number): string {
  if (jobs.length === 0) return 'no cron jobs';
  return table(
    ['id', 'namespace', 'name', 'schedule', 'timezone', 'runner', 'state', 'next run'],
    jobs.map((j) => [String(j.id), j.namespace, j.name, j.schedule, j.timezone, j.runner, j.enabled ? 'active' : 'paused', j.enabled ? relative(j.nextRunAt, nowMs) : '-']),
  );
}

export function cronJobDetail(j: CronJobView, recent: readonly TaskView[], workerNames: ReadonlyMap<number, string>, nowMs: number): string {
  const retry = j.retry
    ? `${j.retry.maxRetries} retries, ${j.retry.backoff} from ${j.retry.delaySeconds}s up to ${j.retry.maxDelaySeconds}s${j.retry.jitter ? ', with jitter' : ''}`
    : 'none';
  const selector = j.workerSelector ? [j.workerSelector.labels ? `labels ${keyValues(j.workerSelector.labels)}` : '', j.workerSelector.names ? `names ${j.workerSelector.names.join(',')}` : ''].filter(Boolean).join('; ') : 'any';
  const parts = [
    describe([
      ['Name', j.name],
      ['Namespace', j.namespace],
      ['ID', j.id],
      ['Schedule', `${j.schedule} (${j.timezone})`],
      ['State', j.enabled ? 'active' : 'paused'],
      ['Next run', j.enabled ? when(j.nextRunAt, nowMs) : null],
      ['Runner', j.runner],
      ['Timeout', j.timeoutSeconds === null ? 'none' : duration(j.timeoutSeconds * 1000)],
      ['Concurrency', j.concurrencyPolicy],
      ['Misfire', j.misfirePolicy === 'catchUp' ? `catchUp (at most ${j.catchUpLimit})` : j.misfirePolicy],
      ['Starting deadline', j.startingDeadlineSeconds === null ? 'none' : `${j.startingDeadlineSeconds}s`],
      ['Retry', retry],
      ['Priority', j.priority],
      ['Jitter', `${j.jitterSeconds}s`],
      ['Workers', selector],
      ['Routing', j.routing],
      ['Output cap', j.maxOutputBytes === null ? "server's default" : bytes(j.maxOutputBytes)],
      ['Env', keyValues(j.env)],
      ['Secret env', j.secretEnvKeys.length ? `${j.secretEnvKeys.join(',')} (values hidden)` : undefined],
      ['Params', j.params?.length ? j.params.map(paramLine).join('; ') : undefined],
      ['History kept', historyKept(j)],
      ['Created', when(j.createdAt, nowMs)],
      ['Updated', when(j.updatedAt, nowMs)],
    ]),
    section('Spec', j.spec),
    recent.length ? section('Recent tasks', taskTable(recent, workerNames, nowMs)) : 'Recent tasks: none',
  ];
  return parts.join('\n');
}

/** `REGION=eu (eu|us)`, `TICKET (required, /[A-Z]+-[0-9]+/)`: what `cronjobs run --param` (or `workflows run --param`) may set. */
export function paramLine(p: CronJobView['params'][number]): string {
  const rule = p.enum ? p.enum.join('|') : p.pattern !== undefined ? `/${p.pattern}/` : null;
  const notes = [p.required ? 'required' : '', rule ?? ''].filter(Boolean).join(', ');
  return `${p.name}${p.default !== undefined ? `=${p.default}` : ''}${notes ? ` (${notes})` : ''}`;
}

/** `newest 10, at most 30 days`, with `server default` for a field the job leaves null. */
function historyKept(j: Pick<CronJobView, 'historyLimit' | 'historyDays'>): string {
  const count = j.historyLimit === null ? "server's default count" : `newest ${j.historyLimit}`;
  const age = j.historyDays === null ? "server's default age" : `at most ${j.historyDays} day(s)`;
  return `${count}, ${age}`;
}

export function taskTable(tasks: readonly TaskView[], workerNames: ReadonlyMap<number, string>, nowMs: number): string {
  if (tasks.length === 0) return 'no tasks';
  return table(
    ['id', 'namespace', 'job', 'status', 'attempt', 'trigger', 'worker', 'started', 'duration', 'result'],
    tasks.map((t) => [
      String(t.id),
      t.namespace,
      jobLabel(t),
      t.status,
      String(t.attempt),
      t.trigger,
      workerLabel(t.workerId, workerNames),
      relative(t.startedAt, nowMs),
      ranFor(t.startedAt, t.finishedAt, nowMs) ?? '-',
      truncate(result(t), 60),
    ]),
  );
}

export function taskDetail(t: TaskView, workerNames: ReadonlyMap<number, string>, nowMs: number): string {
  const err = t.error as { code?: string; message?: string } | null;
  const lines = describe([
    ['Task', t.id],
    ['Namespace', t.namespace],
    ['Cron job', t.cronjobName ? `${t.cronjobName} (id ${t.cronjobId})` : t.cronjobId === null ? (t.workflow ? undefined : 'none (one-shot task)') : t.cronjobId],
    ['Workflow', t.workflow ? `run ${t.workflow.runId}, step ${t.workflow.step}${t.workflow.item === null ? '' : `, member ${t.workflow.item}`}` : undefined],
    ['Status', t.status],
    ['Pending reason', t.pendingReason ?? undefined],
    ['Attempt', t.retryOf ? `${t.attempt} (retry of task ${t.retryOf})` : t.attempt],
    ['Trigger', t.trigger],
    ['Runner', t.runner],
    ['Worker', t.workerId === null ? null : workerLabel(t.workerId, workerNames)],
    ['Shard', t.shard ? `${t.shard.index + 1} of ${t.shard.count}` : undefined],
    ['Scheduled', when(t.scheduledAt, nowMs)],
    ['Run at', t.runAt ? when(t.runAt, nowMs) : undefined],
    ['Started', when(t.startedAt, nowMs)],
    ['Finished', when(t.finishedAt, nowMs)],
    ['Duration', ranFor(t.startedAt, t.finishedAt, nowMs)],
    ['Exit code', t.runner === 'http' && t.exitCode === null ? undefined : t.exitCode],
    ['HTTP status', typeof t.httpStatus === 'number' ? t.httpStatus : undefined],
    ['Signal', t.signal ?? undefined],
    ['Error', err ? `${err.code ?? ''}: ${err.message ?? ''}` : undefined],
    ['Control', t.control ? `${t.control.action} ${t.control.state}${t.control.reason ? ` (${t.control.reason})` : ''}` : undefined],
    ['Timeout', t.timeoutSeconds === null ? 'none' : `${t.timeoutSeconds}s`],
    ['Priority', t.priority],
    ['Created', when(t.createdAt, nowMs)],
  ]);
  return `${lines}\n(output: cronfleet tasks logs ${t.id}${t.status === 'running' || t.status === 'pending' ? ' -f' : ''})`;
}

export function workerTable(workers: readonly WorkerView[], nowMs: number): string {
  if (workers.length === 0) return 'no workers';
  return table(
    ['id', 'namespace', 'name', 'status', 'credential', 'tasks', 'labels', 'runners', 'heartbeat', 'host'],
    workers.map((w) => [String(w.id), namespaceLabel(w.namespace), w.name, workerState(w), w.enrolment.state, `${w.running}/${w.capacity}`, keyValues(w.labels), w.runners.join(',') || '-', relative(w.lastHeartbeatAt, nowMs), w.hostname]),
  );
}

export function workerDetail(w: WorkerDetailView, nowMs: number): string {
  const s = w.stats;
  const lines = describe([
    ['Name', w.name],
    ['Namespace', w.namespace === null ? '* (serves every namespace)' : w.namespace],
    ['ID', w.id],
    ['Status', workerState(w)],
    ['Credential', enrolmentLine(w, nowMs)],
    ['Host', w.hostname],
    ['Version', w.version],
    ['Tasks', `${w.running} running of ${w.capacity}`],
    ['Labels', keyValues(w.labels)],
    ['Runners', w.runners.join(', ')],
    ['Last heartbeat', when(w.lastHeartbeatAt, nowMs)],
    ['Load per CPU', s ? s.loadPerCpu.toFixed(2) : null],
    ['Memory (worker and tasks)', s ? bytes(s.rssBytes) : null],
    ['Host memory free', s ? `${bytes(s.hostFreeMemoryBytes)} of ${bytes(s.hostTotalMemoryBytes)}` : null],
    ['Last error', s?.lastError ? `${s.lastError.code}: ${s.lastError.message}` : null],
  ]);
  if (w.tasks.length === 0) return `${lines}\nLive tasks: none`;
  const tasks = table(
    ['id', 'job', 'status', 'started', 'memory'],
    w.tasks.map((t) => [String(t.id), t.cronjobName ?? (t.cronjobId === null ? '(one-shot)' : String(t.cronjobId)), t.status, relative(t.startedAt, nowMs), bytes(t.rssBytes)]),
  );
  return `${lines}\n${section('Live tasks', tasks)}`;
}

/** Each due time in the zone it was computed for, with the UTC instant and how far away it is. */
export function previewLines(next: readonly string[], timezone: string, nowMs: number): string {
  if (next.length === 0) return 'no due times: the schedule never fires after that instant';
  return table(
    ['local time', 'utc', 'relative'],
    next.map((iso) => [wallClock(iso, timezone, true), iso, relative(iso, nowMs)]),
  );
}

/** `enrolled 2026-03-08T07:00:00.000Z (3d ago)`; `open` and `revoked` say what follows. */
function enrolmentLine(w: WorkerView, nowMs: number): string {
  const e = w.enrolment;
  if (e.state === 'enrolled') return `enrolled ${when(e.enrolledAt, nowMs)}`;
  if (e.state === 'revoked') return `revoked ${when(e.revokedAt, nowMs)}: its hellos are refused until it is re-enrolled`;
  return 'open: its next hello is issued a credential';
}

function workerState(w: WorkerView): string {
  const extra = [w.drained ? 'drained' : '', w.shuttingDown ? 'shutting down' : ''].filter(Boolean);
  return extra.length ? `${w.status}, ${extra.join(', ')}` : w.status;
}

function workerLabel(id: number | null, names: ReadonlyMap<number, string>): string {
  if (id === null) return '-';
  return names.get(id) ?? String(id);
}

/** The task's cron job, or its workflow run and step (`run 12/build[3]`), or `(one-shot)`. */
function jobLabel(t: TaskView): string {
  if (t.cronjobName) return t.cronjobName;
  if (t.cronjobId !== null) return String(t.cronjobId);
  if (t.workflow) return `run ${t.workflow.runId}/${t.workflow.step}${t.workflow.item === null ? '' : `[${t.workflow.item}]`}`;
  return '(one-shot)';
}

/** What came of a task, in a few words: `exit 0`, `exit 1`, `HTTP 200`, `HTTP 503 UnexpectedStatus`, `SIGKILL`, `CommandNotFound`, or why it waits. */
function result(t: TaskView): string {
  if (t.status === 'pending') return t.pendingReason ? `waiting: ${t.pendingReason}` : 'waiting';
  if (t.status === 'running') return '-';
  const err = t.error as { code?: string; message?: string } | null;
  // httpStatus: undefined from a server from before it was reported.
  const http = typeof t.httpStatus === 'number' ? `HTTP ${t.httpStatus}` : '';
  const parts = [t.exitCode !== null ? `exit ${t.exitCode}` : '', http, t.signal ?? '', err?.code ?? ''].filter(Boolean);
  return parts.join(' ') || '-';
}

export function tokenTable(tokens: readonly ApiTokenView[], nowMs: number): string {
  if (tokens.length === 0) return 'no API tokens';
  const state = (t: ApiTokenView) => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= nowMs ? 'expired' : 'active');
  return table(
    ['id', 'namespace', 'name', 'role', 'state', 'token', 'expires', 'last used', 'created by'],
    tokens.map((t) => [String(t.id), namespaceLabel(t.namespace), t.name, t.role, state(t), `${t.hint}…`, t.expiresAt ? relative(t.expiresAt, nowMs) : 'never', relative(t.lastUsedAt, nowMs), t.createdBy]),
  );
}
