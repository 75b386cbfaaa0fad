import type { RunStatus, RunStep, RunStepTask, SucceedWhen, WorkflowStep } from '../api/types';
import { durationMs, formatDuration } from './format';

/** What a step node shows: the server's state, with `killed` told apart from other failures. */
export type StepDisplayState = 'waiting' | 'running' | 'success' | 'failed' | 'killed' | 'skipped' | 'cancelled';
export const STEP_DISPLAY_STATES: readonly StepDisplayState[] = ['waiting', 'running', 'success', 'failed', 'killed', 'skipped', 'cancelled'];

/** Each member's latest attempt (a one-task step has one member). */
export function latestTasks(tasks: readonly RunStepTask[]): RunStepTask[] {
  const byItem = new Map<number | null, RunStepTask>();
  for (const t of tasks) {
    const seen = byItem.get(t.item);
    if (!seen || t.attempt > seen.attempt || (t.attempt === seen.attempt && t.taskId > seen.taskId)) byItem.set(t.item, t);
  }
  return [...byItem.values()];
}

/**
 * The server counts a killed task as a failure of its step. Shown apart: a one-task step whose latest
 * attempt was killed, and a group that failed because its run was killed. A group that killed members
 * it no longer needed is not "killed": its state says how it was decided.
 */
export function displayState(step: Pick<RunStep, 'state' | 'kind' | 'tasks'>, runStatus: RunStatus): StepDisplayState {
  if (step.state !== 'failed') return step.state;
  const killed = latestTasks(step.tasks).some((t) => t.status === 'killed');
  return killed && (step.kind === 'task' || runStatus === 'killed') ? 'killed' : 'failed';
}

/** How many members must succeed: `all`, `any` or `≥K`. */
export function succeedWhenText(w: SucceedWhen): string {
  return typeof w === 'string' ? w : `≥${w.atLeast}`;
}

/** `3/5 ok · 1 failed · 1 running`: a group's counts, the parts that are not zero. */
export function groupProgress(g: NonNullable<RunStep['group']>): string {
  return [`${g.succeeded}/${g.size} ok`, g.failed ? `${g.failed} failed` : '', g.running ? `${g.running} running` : ''].filter(Boolean).join(' · ');
}

function groupPolicy(size: number, succeedWhen: SucceedWhen, maxParallel: number | null): string {
  return [`${size} member${size === 1 ? '' : 's'}`, `need ${succeedWhenText(succeedWhen)}`, maxParallel ? `max ${maxParallel}` : ''].filter(Boolean).join(' · ');
}

/** The two lines under a step's id in the definition's drawing. */
export function definitionLines(s: WorkflowStep): [string, string] {
  if ('group' in s) {
    const size = 'items' in s.group ? s.group.items.length : s.group.forEach.length;
    const runner = 'forEach' in s.group ? `${s.group.runner} for each input` : 'items';
    return [groupPolicy(size, s.succeedWhen, s.maxParallel), runner];
  }
  const extra = [s.retry?.maxRetries ? `retry ×${s.retry.maxRetries}` : '', s.timeoutSeconds ? `timeout ${s.timeoutSeconds}s` : ''].filter(Boolean).join(' · ');
  return [s.runner, extra];
}

/** The two lines under a step's id in a run's drawing: what it is, then how far it got. */
export function runLines(s: RunStep, state: StepDisplayState, nowMs = Date.now()): [string, string] {
  const took = s.startedAt ? formatDuration(durationMs(s.startedAt, s.finishedAt, nowMs)) : '';
  if (s.group) {
    const progress = s.state === 'waiting' || s.state === 'skipped' ? state : groupProgress(s.group);
    return [groupPolicy(s.group.size, s.group.succeedWhen, s.group.maxParallel), [progress, took].filter(Boolean).join(' · ')];
  }
  const tries = s.attempts > 1 ? `${s.attempts} attempts` : '';
  return [s.runner ?? '', [state, tries, took].filter(Boolean).join(' · ')];
}
