// The checks of a chaos run, as a pure function of what was collected afterwards: the tasks and
// workers tables, each worker's log (the results it says it produced) and the execution ledger (one
// line per task process that really started). Due times come from the project's own evaluator.
import { nextRunAtMs, parseSchedule } from '@cronfleet/shared';

export interface JobRow {
  id: number;
  name: string;
  schedule: string;
  timezone: string;
  misfirePolicy: 'skip' | 'runOnce' | 'catchUp';
  createdAtMs: number;
}

export interface TaskRow {
  id: number;
  cronjobId: number | null;
  scheduledAtMs: number;
  attempt: number;
  shardIndex: number;
  trigger: string;
  status: string;
  exitCode: number | null;
  workerId: number | null;
  retryOf: number | null;
  errorCode: string | null;
}

/** A final line of a worker's log: `task 12 failed, exit code 3 after 0.2 s`. */
export interface LoggedResult {
  worker: string;
  taskId: number;
  status: string;
  exitCode: number | null;
}

export interface VerifyInput {
  /** The checked window of due times, inclusive, epoch ms. */
  fromMs: number;
  toMs: number;
  jobs: JobRow[];
  tasks: TaskRow[];
  /** Worker id → whether it is online now. */
  workerOnline: Map<number, boolean>;
  logged: LoggedResult[];
  /** Task id → how many times its process started (lines in the ledger). */
  executions: Map<number, number>;
}

export interface Counts {
  dueTimes: number;
  ranOnce: number;
  /** Of ranOnce: dispatched once but ended lost (its worker died or went silent). */
  ranOnceEndedLost: number;
  /** Of ranOnce: a catch-up run (trigger misfire). */
  caughtUp: number;
  skippedRecorded: number;
  missedByMisfirePolicy: number;
  retries: number;
  /** Due times whose process ran more than once, each time as a new attempt after a lost/failed one. */
  rerunByRetryPolicy: number;
  missing: number;
  duplicates: number;
  duplicateExecutions: number;
  stuck: number;
  lostResults: number;
  loggedResults: number;
  executions: number;
}

export interface VerifyResult {
  counts: Counts;
  violations: string[];
}

const FINAL = new Set(['success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled']);
/** A missed due time of a skip/runOnce job is excused by a catch-up run of another job this close to it. */
const BEHIND_EVIDENCE_MS = 1500;
const MAX_LISTED = 20;

/** Parses the final result lines out of a worker's log. */
export function parseWorkerLog(worker: string, text: string): LoggedResult[] {
  const out: LoggedResult[] = [];
  const re = /^cronfleet-worker: task (\d+) (success|failed|timeout|killed)(.*) after [\d.]+ s$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const exit = /^, exit code (-?\d+)$/.exec(m[3]);
    out.push({ worker, taskId: Number(m[1]), status: m[2], exitCode: m[2] === 'success' ? 0 : exit ? Number(exit[1]) : null });
  }
  return out;
}

/** Every due time of `job` in [fromMs, toMs], from the same evaluator the dispatcher uses. */
export function dueTimes(job: JobRow, fromMs: number, toMs: number): number[] {
  const schedule = parseSchedule(job.schedule, job.timezone);
  const out: number[] = [];
  for (let t = nextRunAtMs(schedule, fromMs - 1, job.createdAtMs); t !== null && t <= toMs; t = nextRunAtMs(schedule, t, job.createdAtMs)) out.push(t);
  return out;
}

export function verify(input: VerifyInput): VerifyResult {
  const violations: Record<string, string[]> = {};
  const violate = (kind: string, line: string): void => void (violations[kind] ??= []).push(line);
  const counts: Counts = {
    dueTimes: 0, ranOnce: 0, ranOnceEndedLost: 0, caughtUp: 0, skippedRecorded: 0, missedByMisfirePolicy: 0, retries: 0,
    rerunByRetryPolicy: 0, missing: 0, duplicates: 0, duplicateExecutions: 0, stuck: 0, lostResults: 0, loggedResults: input.logged.length,
    executions: [...input.executions.values()].reduce((a, b) => a + b, 0),
  };
  const byId = new Map(input.tasks.map((t) => [t.id, t]));
  const ofJob = new Map<number, TaskRow[]>();
  for (const t of input.tasks) {
    if (t.cronjobId === null) continue;
    const list = ofJob.get(t.cronjobId);
    if (list) list.push(t);
    else ofJob.set(t.cronjobId, [t]);
  }
  const catchUpJobs = new Set(input.jobs.filter((j) => j.misfirePolicy === 'catchUp').map((j) => j.id));
  // Due times at which the dispatcher was demonstrably behind: a catch-up run of a catchUp job.
  const behindAt = input.tasks.filter((t) => t.trigger === 'misfire' && t.cronjobId !== null && catchUpJobs.has(t.cronjobId)).map((t) => t.scheduledAtMs).sort((a, b) => a - b);
  const wasBehind = (ms: number): boolean => behindAt.some((b) => Math.abs(b - ms) <= BEHIND_EVIDENCE_MS);

  for (const job of input.jobs) {
    const tasks = ofJob.get(job.id) ?? [];
    const firstAttempts = new Map<number, TaskRow[]>();
    for (const t of tasks) {
      if (t.attempt !== 1) continue;
      const list = firstAttempts.get(t.scheduledAtMs);
      if (list) list.push(t);
      else firstAttempts.set(t.scheduledAtMs, [t]);
    }
    const expected = dueTimes(job, input.fromMs, input.toMs);
    const expectedSet = new Set(expected);
    counts.dueTimes += expected.length;
    const present = [...firstAttempts.keys()].sort((a, b) => a - b);
    for (const at of present) {
      if (at >= input.fromMs && at <= input.toMs && !expectedSet.has(at)) {
        violate('not a due time', `job ${job.id} (${job.schedule}): task ${firstAttempts.get(at)![0].id} at ${iso(at)} is not one of its due times`);
      }
    }
    for (const at of expected) {
      const rows = firstAttempts.get(at) ?? [];
      if (rows.length > 1) {
        counts.duplicates++;
        violate('duplicate', `job ${job.id}: due time ${iso(at)} has ${rows.length} first attempts: tasks ${rows.map((r) => r.id).join(', ')}`);
        continue;
      }
      if (rows.length === 1) {
        const t = rows[0];
        if (t.status === 'skipped') counts.skippedRecorded++;
        else {
          counts.ranOnce++;
          if (t.status === 'lost') counts.ranOnceEndedLost++;
          if (t.trigger === 'misfire') counts.caughtUp++;
        }
        continue;
      }
      // No task: only a skip or runOnce job may miss a due time, and only while dispatch was behind;
      // runOnce then runs the latest missed due time late, so the next task of the job is a catch-up run.
      const next = present.find((p) => p > at);
      const nextTask = next === undefined ? undefined : firstAttempts.get(next)![0];
      const excused =
        (job.misfirePolicy === 'skip' || (job.misfirePolicy === 'runOnce' && nextTask?.trigger === 'misfire')) && wasBehind(at);
      if (excused) counts.missedByMisfirePolicy++;
      else {
        counts.missing++;
        violate('missing', `job ${job.id} (${job.schedule}, misfire ${job.misfirePolicy}): due time ${iso(at)} has no task` +
          ` (next task: ${nextTask ? `${nextTask.id} at ${iso(nextTask.scheduledAtMs)}, trigger ${nextTask.trigger}` : 'none'}; dispatch behind then: ${wasBehind(at)})`);
      }
    }
  }

  // Executions: each task's process at most once; more than one task run for a due time only as
  // retries of an attempt that did not succeed as far as the server knew when it retried.
  const runsPerDue = new Map<string, TaskRow[]>();
  for (const [taskId, n] of input.executions) {
    const t = byId.get(taskId);
    if (n > 1) {
      counts.duplicateExecutions++;
      violate('duplicate execution', `task ${taskId} started ${n} times`);
    }
    if (!t) {
      violate('unknown task', `task ${taskId} ran but is not in the database`);
      continue;
    }
    if (t.cronjobId === null) continue;
    const key = `${t.cronjobId}@${t.scheduledAtMs}#${t.shardIndex}`;
    const list = runsPerDue.get(key);
    if (list) list.push(t);
    else runsPerDue.set(key, [t]);
  }
  for (const t of input.tasks) if (t.attempt > 1) counts.retries++;
  for (const [key, runs] of runsPerDue) {
    if (runs.length < 2) continue;
    // Each later attempt retries the one before it (which may never have started: lost on the way).
    const byRetry = runs.every((r) => r.attempt === 1 || (r.trigger === 'retry' && r.retryOf !== null && byId.get(r.retryOf)?.attempt === r.attempt - 1));
    if (byRetry) counts.rerunByRetryPolicy++;
    else {
      counts.duplicateExecutions++;
      violate('duplicate execution', `due time ${key} ran as tasks ${runs.map((r) => `${r.id} (attempt ${r.attempt}, ${r.trigger}, ${r.status})`).join(', ')}`);
    }
  }
  for (const t of input.tasks) {
    if ((t.status === 'success' || (t.status === 'failed' && t.exitCode !== null)) && !input.executions.has(t.id)) {
      violate('result without execution', `task ${t.id} is ${t.status} (exit ${t.exitCode}) but its process never started`);
    }
  }

  // Stuck: after the settle period nothing may still be live; running on a worker that is not online is the worst.
  for (const t of input.tasks) {
    if (FINAL.has(t.status)) continue;
    counts.stuck++;
    const where = t.workerId === null ? 'not sent to any worker' : `worker ${t.workerId} is ${input.workerOnline.get(t.workerId) ? 'online' : 'NOT online'}`;
    violate('stuck', `task ${t.id} (job ${t.cronjobId}, due ${iso(t.scheduledAtMs)}, attempt ${t.attempt}) is still ${t.status}: ${where}`);
  }

  // Lost results: what a worker says a task ended with is what the database holds.
  for (const r of input.logged) {
    const t = byId.get(r.taskId);
    const same = t && t.status === r.status && (r.exitCode === null || t.exitCode === r.exitCode);
    if (!same) {
      counts.lostResults++;
      violate('lost result', `${r.worker} logged task ${r.taskId} ${r.status}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}; the database has ${t ? `${t.status} (exit ${t.exitCode}, error ${t.errorCode})` : 'no such task'}`);
    }
  }

  const lines = Object.entries(violations).flatMap(([kind, list]) => [
    `${kind}: ${list.length}`,
    ...list.slice(0, MAX_LISTED).map((l) => `  ${l}`),
    ...(list.length > MAX_LISTED ? [`  … ${list.length - MAX_LISTED} more`] : []),
  ]);
  return { counts, violations: lines };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
