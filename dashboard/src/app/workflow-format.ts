import { elapsedMs } from '@cronfleet/shared/api';
import type { RunStep, StepState, SucceedWhen, WorkflowStep } from '../api/types';
import { formatDuration } from './format';

/** How many members must succeed: `all`, `any` or `≥K`. */
export function succeedWhenText(w: SucceedWhen): string {
  return typeof w === 'string' ? w : `≥${w.atLeast}`;
}

/** `3/5 ok · 1 failed · 1 running · 1 not started`: a group's counts, the parts that are not zero. */
export function groupProgress(g: NonNullable<RunStep['group']>): string {
  return [`${g.succeeded}/${g.size} ok`, g.failed ? `${g.failed} failed` : '', g.running ? `${g.running} running` : '', g.skipped ? `${g.skipped} not started` : ''].filter(Boolean).join(' · ');
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
export function runLines(s: RunStep, state: StepState, nowMs = Date.now()): [string, string] {
  const took = s.startedAt ? formatDuration(elapsedMs(s.startedAt, s.finishedAt, nowMs)) : '';
  if (s.group) {
    const progress = s.state === 'waiting' || s.state === 'skipped' ? state : groupProgress(s.group);
    return [groupPolicy(s.group.size, s.group.succeedWhen, s.group.maxParallel), [progress, took].filter(Boolean).join(' · ')];
  }
  const tries = s.attempts > 1 ? `${s.attempts} attempts` : '';
  return [s.runner ?? '', [state, tries, took].filter(Boolean).join(' · ')];
}
