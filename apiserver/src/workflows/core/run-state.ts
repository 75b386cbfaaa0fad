/**
 * What a workflow run does next, from its steps' states alone: which steps start, which are
 * skipped because their `when` can no longer hold, and whether the run has ended and how. Pure: the
 * caller stores the states and calls this again after every change (a new leader does the same
 * after a failover, so finished steps are never run again).
 */

/** When a step runs, given its upstream steps' outcomes (all of them ended). */
export type When = 'success' | 'failure' | 'always';

export interface StepNode {
  id: string;
  dependsOn: readonly string[];
  /** Default `success`: every upstream succeeded. `failure`: at least one failed. `always`: either. */
  when: When;
}

/**
 * `waiting`: not started. Ended states: success, failed (also timeout and lost), killed (its task was
 * killed or stopped: an operator's choice, never retried), skipped, cancelled. A killed step counts as
 * a failure for its downstream steps' `when` and for the run's outcome.
 */
export type StepState = 'waiting' | 'running' | 'success' | 'failed' | 'killed' | 'skipped' | 'cancelled';

export type RunOutcome = 'running' | 'success' | 'failed' | 'cancelled';

export interface NextActions {
  start: string[];
  skip: string[];
  /** The run's outcome once no step is waiting or running (after `start` and `skip` are applied). */
  outcome: RunOutcome;
}

const ENDED: ReadonlySet<StepState> = new Set(['success', 'failed', 'killed', 'skipped', 'cancelled']);

/** An end that is not a success and that a `when: failure` step handles: failed or killed. */
export function isFailure(s: StepState | undefined): boolean {
  return s === 'failed' || s === 'killed';
}

/** What a task status means for its step. */
export function stepStateOfTask(status: string): StepState {
  if (status === 'success') return 'success';
  if (status === 'pending') return 'running'; // handed to the dispatcher: started as far as the run goes
  if (status === 'running') return 'running';
  if (status === 'skipped') return 'skipped';
  if (status === 'cancelled') return 'cancelled';
  if (status === 'killed') return 'killed';
  return 'failed'; // failed, timeout, lost
}

/**
 * Decides, in topological order so a skip propagates down a branch in one call. A step whose
 * upstreams have all ended runs if its `when` holds and is skipped if it cannot; a failed step
 * (or killed) step makes the run fail unless a `when: failure` or `always` step downstream of it ran
 * (it handled it).
 */
export function nextActions(steps: readonly StepNode[], states: ReadonlyMap<string, StepState>): NextActions {
  const state = new Map(states);
  const start: string[] = [];
  const skip: string[] = [];
  for (const s of steps) {
    if ((state.get(s.id) ?? 'waiting') !== 'waiting') continue;
    const ups = s.dependsOn.map((d) => state.get(d) ?? 'waiting');
    if (ups.some((u) => !ENDED.has(u))) continue;
    if (ups.some((u) => u === 'cancelled')) {
      state.set(s.id, 'skipped');
      skip.push(s.id);
      continue;
    }
    const allOk = ups.every((u) => u === 'success');
    const anyFailed = ups.some(isFailure);
    const runs = s.dependsOn.length === 0 || (s.when === 'success' ? allOk : s.when === 'failure' ? anyFailed : true);
    if (runs) {
      state.set(s.id, 'running');
      start.push(s.id);
    } else {
      state.set(s.id, 'skipped');
      skip.push(s.id);
    }
  }
  return { start, skip, outcome: outcomeOf(steps, state) };
}

function outcomeOf(steps: readonly StepNode[], state: ReadonlyMap<string, StepState>): RunOutcome {
  if (steps.some((s) => !ENDED.has(state.get(s.id) ?? 'waiting'))) return 'running';
  if (steps.some((s) => state.get(s.id) === 'cancelled')) return 'cancelled';
  const handled = (failed: string): boolean =>
    steps.some((d) => d.dependsOn.includes(failed) && d.when !== 'success' && state.get(d.id) !== 'skipped');
  return steps.some((s) => isFailure(state.get(s.id)) && !handled(s.id)) ? 'failed' : 'success';
}

/**
 * Retrying a failed run from where it failed: its failed, cancelled and skipped steps (and so what
 * depends on them) go back to waiting; succeeded steps keep their result and are not run again.
 */
export function resetForRetry(states: ReadonlyMap<string, StepState>): Map<string, StepState> {
  const out = new Map<string, StepState>();
  for (const [id, s] of states) out.set(id, s === 'success' ? 'success' : 'waiting');
  return out;
}
