/**
 * A workflow run's next moves, worked out from its step tasks as stored (framework-free). Whoever
 * advances a run (the server that recorded a task's end, a new leader, the reconciliation sweep)
 * calls `planRun` with the rows it just read and carries out the answer; the same rows give the same
 * answer, and the tasks it asks for have keys unique per run, step, attempt and member, so two
 * advancers racing create each task once.
 *
 * A unit is one step, or one member of a group step. Its state comes from its latest task of the
 * current round (attempts at or above the step's floor; a retried run raises the floor of every step
 * that did not succeed): success, running (pending or running, or failed with a retry left), failed,
 * killed (never retried), cancelled. A unit without a task this round succeeded earlier (kept) or is
 * waiting. A group is `killed` when it failed only because members were killed or cancelled: without
 * those it would not have failed (a kill of its run, or of a member it could not do without); a group
 * that failed on its own and then had its live members killed, being no longer needed, is `failed`.
 */
import type { RetryPolicy } from '@cronfleet/shared';
import { topologicalOrder } from '@cronfleet/shared';
import { groupOutcome, type GroupPolicy, startable } from './group';
import { nextActions, type RunOutcome, type StepNode, type StepState, stepStateOfTask } from './run-state';

export interface PlanStep extends StepNode {
  /** Each failed, timed-out or lost attempt (of each member, for a group) is tried again per this policy. */
  retry: RetryPolicy | null;
  /** A group step: `size` member tasks, their fan-in, and how many run at once (null: all). Null for a one-task step. */
  group: { size: number; policy: GroupPolicy; maxParallel: number | null } | null;
}

/** A task of the run, as far as planning goes. */
export interface StepTask {
  id: number;
  step: string;
  /** The member of a group step (0-based); null for a one-task step. */
  item: number | null;
  attempt: number;
  status: string;
}

/** A task to create: the first attempt of a unit this round, or the retry of its failed attempt `retryOf`. */
export interface NewStepTask {
  step: string;
  item: number | null;
  attempt: number;
  /** For a retry: the failed task and how many attempts the unit made this round (for the backoff). */
  retryOf: { taskId: number; attemptsMade: number } | null;
}

export type UnitState = 'waiting' | 'running' | 'success' | 'failed' | 'killed' | 'cancelled';

export interface GroupCountsView {
  succeeded: number;
  failed: number;
  running: number;
  waiting: number;
}

export interface RunPlan {
  /** Each step's state before this plan's starts and skips: `waiting` for a step not started. */
  states: Map<string, StepState>;
  /** Steps to start now and steps that will never run (their `when` cannot hold). */
  start: string[];
  skip: string[];
  create: NewStepTask[];
  /** Live member tasks of groups whose outcome is decided: no longer needed, to be stopped. */
  stop: number[];
  /** Member counts of each group step. */
  groups: Map<string, GroupCountsView>;
  outcome: RunOutcome;
}

/** Final task statuses a step's retry policy retries (a kill is deliberate: never retried). */
const RETRYABLE: ReadonlySet<string> = new Set(['failed', 'timeout', 'lost']);

interface Unit {
  state: UnitState;
  /** Attempt number its next task gets. */
  next: number;
  retryOf: NewStepTask['retryOf'];
  /** Its pending or running task. */
  live: number | null;
}

/** The state of one unit from its tasks (any order). */
export function unitState(rows: readonly StepTask[], floor: number, retry: RetryPolicy | null): Unit {
  let maxAttempt = 0;
  let succeededBefore = false;
  let made = 0;
  let last: StepTask | null = null;
  for (const r of rows) {
    maxAttempt = Math.max(maxAttempt, r.attempt);
    if (r.attempt < floor) {
      if (r.status === 'success') succeededBefore = true;
      continue;
    }
    made++;
    if (!last || r.attempt > last.attempt) last = r;
  }
  const next = Math.max(floor, maxAttempt + 1);
  if (!last) return { state: succeededBefore ? 'success' : 'waiting', next, retryOf: null, live: null };
  const s = stepStateOfTask(last.status);
  if (s === 'running') return { state: 'running', next, retryOf: null, live: last.id };
  if (s === 'success') return { state: 'success', next, retryOf: null, live: null };
  if (s === 'cancelled' || s === 'skipped') return { state: 'cancelled', next, retryOf: null, live: null };
  if (s === 'killed') return { state: 'killed', next, retryOf: null, live: null };
  if (retry && RETRYABLE.has(last.status) && made <= retry.maxRetries) return { state: 'running', next, retryOf: { taskId: last.id, attemptsMade: made }, live: null };
  return { state: 'failed', next, retryOf: null, live: null };
}

/**
 * What to do next in a run whose step definitions are `steps` (any order; dependencies must form no
 * cycle), whose tasks so far are `tasks`, and whose steps count attempts from `floors` on (absent: 1).
 */
export function planRun(steps: readonly PlanStep[], tasks: readonly StepTask[], floors: Readonly<Record<string, number>> = {}): RunPlan {
  const byUnit = new Map<string, StepTask[]>();
  for (const t of tasks) {
    const key = unitKey(t.step, t.item);
    const list = byUnit.get(key);
    if (list) list.push(t);
    else byUnit.set(key, [t]);
  }
  const startedThisRound = new Set(tasks.filter((t) => t.attempt >= (floors[t.step] ?? 1)).map((t) => t.step));
  const units = new Map<string, Unit[]>();
  for (const s of steps) {
    const floor = floors[s.id] ?? 1;
    const items: (number | null)[] = s.group ? Array.from({ length: s.group.size }, (_, i) => i) : [null];
    units.set(s.id, items.map((item) => unitState(byUnit.get(unitKey(s.id, item)) ?? [], floor, s.retry)));
  }

  const states = new Map<string, StepState>();
  const groups = new Map<string, GroupCountsView>();
  const create: NewStepTask[] = [];
  const stop: number[] = [];
  for (const s of steps) {
    const us = units.get(s.id)!;
    if (!s.group) {
      const u = us[0];
      states.set(s.id, u.state);
      if (u.retryOf) create.push({ step: s.id, item: null, attempt: u.next, retryOf: u.retryOf });
      continue;
    }
    groups.set(s.id, countMembers(us));
    if (!startedThisRound.has(s.id)) {
      states.set(s.id, 'waiting');
      continue;
    }
    const { succeeded, failed } = groups.get(s.id)!;
    const outcome = groupOutcome(s.group.policy, { total: s.group.size, succeeded, failed });
    if (outcome === 'running') {
      states.set(s.id, 'running');
      create.push(...memberTasks(s, us));
    } else {
      states.set(s.id, outcome === 'failed' && failedByKills(s.group, us) ? 'killed' : outcome);
      for (const u of us) if (u.live !== null) stop.push(u.live);
    }
  }

  const order = new Map(topologicalOrder(new Map(steps.map((s) => [s.id, steps.filter((d) => d.dependsOn.includes(s.id)).map((d) => d.id)]))).map((id, i) => [id, i]));
  const nodes = [...steps].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const next = nextActions(nodes, states);
  for (const id of next.start) {
    const s = steps.find((x) => x.id === id)!;
    const us = units.get(id)!;
    if (s.group) create.push(...memberTasks(s, us));
    else create.push({ step: id, item: null, attempt: us[0].next, retryOf: null });
  }
  return { states, start: next.start, skip: next.skip, create, stop, groups, outcome: next.outcome };
}

/** A group's retries, and its waiting members that fit under maxParallel, lowest index first. */
function memberTasks(s: PlanStep, us: readonly Unit[]): NewStepTask[] {
  const out: NewStepTask[] = [];
  us.forEach((u, item) => {
    if (u.retryOf) out.push({ step: s.id, item, attempt: u.next, retryOf: u.retryOf });
  });
  const running = us.filter((u) => u.state === 'running').length;
  const waiting = us.map((u, item) => ({ u, item })).filter((x) => x.u.state === 'waiting');
  for (const { u, item } of waiting.slice(0, startable(s.group!.maxParallel, running, waiting.length))) {
    out.push({ step: s.id, item, attempt: u.next, retryOf: null });
  }
  return out;
}

/** A failed group that would not have failed had its killed and cancelled members not ended. */
function failedByKills(group: NonNullable<PlanStep['group']>, us: readonly Unit[]): boolean {
  const { succeeded, failed } = countMembers(us.filter((u) => u.state !== 'killed' && u.state !== 'cancelled'));
  return groupOutcome(group.policy, { total: group.size, succeeded, failed }) !== 'failed';
}

function countMembers(us: readonly Unit[]): GroupCountsView {
  const c: GroupCountsView = { succeeded: 0, failed: 0, running: 0, waiting: 0 };
  for (const u of us) {
    if (u.state === 'success') c.succeeded++;
    else if (u.state === 'failed' || u.state === 'killed' || u.state === 'cancelled') c.failed++;
    else if (u.state === 'running') c.running++;
    else c.waiting++;
  }
  return c;
}

function unitKey(step: string, item: number | null): string {
  return item === null ? step : `${step}\u0000${item}`;
}
