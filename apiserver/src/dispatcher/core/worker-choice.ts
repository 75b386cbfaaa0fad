/** What the dispatcher knows about one Worker at the moment it picks one for a Task. */
export interface WorkerSnapshot {
  /** Database id of the Worker. */
  id: number;
  /** Unique Worker name; the last tie-breaker, so the choice is deterministic. */
  name: string;
  /** Most Tasks the Worker runs at once: a finite integer; 0 takes no Tasks. */
  capacity: number;
  /** Tasks the Worker is running now (including ones sent and not yet acknowledged). */
  running: number;
  /** Connected and heartbeating. */
  online: boolean;
  /** Runner names the Worker supports, e.g. `command`, `script`, `docker`, `http`. */
  runners: readonly string[];
}

/** The part of a Task that decides which Workers may run it. */
export interface DispatchableTask {
  /** Runner name the Task needs. */
  runner: string;
}

/**
 * The Worker that should run `task`, or null if none can right now.
 *
 * Eligible: online, supports the Task's runner, and has a free slot (`running < capacity`).
 * Preferred: the lowest load `running / capacity`, then fewer running Tasks (of 2/8 and 1/4, both
 * 25% loaded, the one running 1 wins), then name, then id. Names are compared by UTF-16 code unit,
 * not by locale, so every server picks the same Worker from the same snapshots.
 */
export function pickWorker(task: DispatchableTask, workers: readonly WorkerSnapshot[]): WorkerSnapshot | null {
  let best: WorkerSnapshot | null = null;
  for (const worker of workers) {
    if (!isEligible(worker, task.runner)) continue;
    if (best === null || compareWorkers(worker, best) < 0) best = worker;
  }
  return best;
}

function isEligible(worker: WorkerSnapshot, runner: string): boolean {
  return (
    worker.online &&
    worker.running < worker.capacity &&
    worker.runners.includes(runner)
  );
}

/** Negative when `a` should be preferred over `b`. */
function compareWorkers(a: WorkerSnapshot, b: WorkerSnapshot): number {
  // Cross-multiplied so that equal ratios (1/2 vs 2/4) compare equal, which floats do not promise.
  const load = a.running * b.capacity - b.running * a.capacity;
  if (load !== 0) return load;
  if (a.running !== b.running) return a.running - b.running;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id - b.id;
}
