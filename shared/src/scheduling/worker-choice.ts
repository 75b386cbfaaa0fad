/**
 * Which Worker runs a Task: who is eligible, how each routing strategy picks among them, and, when
 * nobody can take the Task now, one line telling an operator why.
 *
 * Eligible: online, not draining, serves the Task's namespace (its own, or every one), supports the
 * Task's runner, matches its selector, has a free slot (`running < capacity`). A broadcast shard is pinned to one Worker and waits for that Worker alone.
 * Otherwise the Task's strategy picks:
 * - `leastLoaded`: lowest `running / capacity`, then fewer running, then name, then id.
 * - `roundRobin`: the next eligible Worker in name order after the one this routingKey got last,
 *   wrapping around; a full Worker is skipped, and a Worker that joins takes its place in the order.
 * - `random`: uniform among the eligible, from the ChoiceState's random source.
 * - `consistentHash`: rendezvous hashing of (routingKey, Worker name) over the Workers that are
 *   online, not draining and match runner and selector, whether full or not: the top one is THE
 *   Worker for that key, and the Task waits while it is full instead of moving. A key moves only
 *   when its Worker goes away (or a new Worker outranks it), so adding or removing one of n Workers
 *   moves about 1/n of the keys, those of that Worker only.
 * - `broadcast`: fanned out beforehand by {@link broadcastTargets} into pinned shards.
 * A retry avoids the Worker that failed (`avoidWorkerId`) when another one can take it.
 *
 * Names are compared by UTF-16 code unit, not by locale, so every server makes the same choice from
 * the same snapshots. `chooseWorker` runs per Task, up to thousands a second over hundreds of
 * Workers: it is one linear pass without sorting or per-call allocation, and it works out the reason
 * only once it has found nobody.
 */

export type RoutingStrategy = 'leastLoaded' | 'roundRobin' | 'random' | 'consistentHash' | 'broadcast';

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = Object.freeze([
  'leastLoaded',
  'roundRobin',
  'random',
  'consistentHash',
  'broadcast',
]);

/** Which Workers a job may use: every label must match exactly; `names`, when given, lists the only allowed Worker names. */
export interface WorkerSelector {
  /** Labels the Worker must carry with exactly these values (case-sensitive); its other labels do not matter. Absent or `{}`: any. */
  labels?: Readonly<Record<string, string>>;
  /** The only Worker names allowed. Absent or empty: any name. */
  names?: readonly string[];
}

/** What the dispatcher knows about one Worker at the moment it chooses one for a Task. */
export interface WorkerSnapshot {
  /** Database id of the Worker. */
  id: number;
  /** Unique Worker name: the key of consistentHash, the order of roundRobin, the last tie-breaker. */
  name: string;
  /** Most Tasks the Worker runs at once: a finite integer; 0 takes no Tasks. */
  capacity: number;
  /** Tasks the Worker is running now (including ones sent and not yet acknowledged). */
  running: number;
  /** Connected and heartbeating. */
  online: boolean;
  /** Takes no new Tasks (it is shutting down once its Tasks end). */
  draining: boolean;
  /** Runner names the Worker supports, e.g. `command`, `script`, `docker`, `http`. */
  runners: readonly string[];
  /** The Worker's labels, matched by a job's {@link WorkerSelector}. */
  labels: Readonly<Record<string, string>>;
  /** The one namespace whose Tasks it runs; null or absent: every namespace's. */
  namespace?: string | null;
}

/** The part of a Task that decides which Worker runs it. */
export interface DispatchableTask {
  /** Runner name the Task needs. */
  runner: string;
  /** null: any Worker. */
  selector: WorkerSelector | null;
  /** The Task's namespace: Workers dedicated to another one never run it. Absent: `default`. */
  namespace?: string;
  /** 'broadcast' tasks arrive here already pinned (see pinnedWorkerId). */
  routing: RoutingStrategy;
  /** Stable key for consistentHash and roundRobin (the cron job id, or the task id for one-off tasks). */
  routingKey: string;
  /** A retry prefers any other eligible Worker over this one (the one that failed), but may use it when it is the only one. */
  avoidWorkerId: number | null;
  /** Broadcast shards are pinned: only this Worker may run the Task. */
  pinnedWorkerId: number | null;
}

export type Choice = { worker: WorkerSnapshot; reason?: undefined } | { worker: null; reason: string };

/** Default bound on the routingKeys whose roundRobin position a ChoiceState remembers. */
export const DEFAULT_MAX_ROUND_ROBIN_KEYS = 100_000;

interface RoundRobinCursor {
  name: string;
  id: number;
}

/**
 * State the caller keeps between choices (one per dispatcher): the roundRobin position per
 * routingKey and the random source. Positions are kept for the `maxRoundRobinKeys` most recently
 * used keys; a forgotten key starts again from the first Worker in name order.
 */
export class ChoiceState {
  /** The Worker each routingKey got last; a Map iterates in insertion order, so the first key is the least recently used. */
  private readonly cursors = new Map<string, RoundRobinCursor>();
  /** Reused by `random` for the eligible Workers, so that a choice allocates nothing once warm. */
  private readonly pool: WorkerSnapshot[] = [];

  /** @param random values in [0, 1), like Math.random; others are clamped. */
  constructor(
    private readonly random: () => number = Math.random,
    private readonly maxRoundRobinKeys: number = DEFAULT_MAX_ROUND_ROBIN_KEYS,
  ) {
    if (!Number.isInteger(maxRoundRobinKeys) || maxRoundRobinKeys < 1) {
      throw new RangeError(`ChoiceState: maxRoundRobinKeys (${maxRoundRobinKeys}) must be a whole number ≥ 1`);
    }
  }

  /** How many routingKeys have a roundRobin position now. */
  get roundRobinKeys(): number {
    return this.cursors.size;
  }

  /** @internal */
  lastChosen(routingKey: string): RoundRobinCursor | undefined {
    return this.cursors.get(routingKey);
  }

  /** @internal Records `worker` as the last choice for `routingKey` and makes the key the most recently used. */
  remember(routingKey: string, worker: WorkerSnapshot): void {
    const cursor = this.cursors.get(routingKey);
    if (cursor !== undefined) {
      this.cursors.delete(routingKey);
      cursor.name = worker.name;
      cursor.id = worker.id;
      this.cursors.set(routingKey, cursor);
      return;
    }
    this.cursors.set(routingKey, { name: worker.name, id: worker.id });
    if (this.cursors.size > this.maxRoundRobinKeys) this.cursors.delete(this.cursors.keys().next().value as string);
  }

  /** @internal A uniform pick among the eligible Workers `add`ed since the last pick (null if none). */
  pick(count: number): WorkerSnapshot | null {
    if (count === 0) return null;
    const i = Math.floor(this.random() * count);
    // NaN and values outside [0, 1) from a faulty source still land on a Worker.
    return this.pool[i >= 0 ? Math.min(i, count - 1) : 0];
  }

  /** @internal Puts `worker` at position `index` of the pool; stale entries past the count are harmless. */
  add(index: number, worker: WorkerSnapshot): void {
    this.pool[index] = worker;
  }
}

/** True when `worker` carries every label of the selector with the same value and, if it lists names, is one of them. */
export function matchesSelector(worker: Pick<WorkerSnapshot, 'name' | 'labels'>, selector: WorkerSelector | null): boolean {
  if (selector === null) return true;
  const { labels, names } = selector;
  if (names !== undefined && names.length > 0 && !names.includes(worker.name)) return false;
  if (labels !== undefined) {
    // for-in, not Object.entries, so that the per-Task path allocates nothing; hasOwn so that a
    // label named like an Object method (`constructor`) is not found on a Worker without it.
    for (const key in labels) {
      if (!Object.hasOwn(worker.labels, key) || worker.labels[key] !== labels[key]) return false;
    }
  }
  return true;
}

/**
 * Broadcast fan-out: the Workers (sorted by name, then id) that should each get one shard now:
 * online, not draining, runner supported, selector matched. Capacity is not considered: a shard
 * waits for its Worker to have a free slot.
 */
export function broadcastTargets(task: Pick<DispatchableTask, 'runner' | 'selector' | 'namespace'>, workers: readonly WorkerSnapshot[]): WorkerSnapshot[] {
  return workers.filter((w) => isUsable(w, task)).sort(byName);
}

/** The Worker that should run `task` now, or null and why not. */
export function chooseWorker(task: DispatchableTask, workers: readonly WorkerSnapshot[], state: ChoiceState): Choice {
  const worker = task.pinnedWorkerId !== null ? pinned(task, workers) : byStrategy(task, workers, state);
  return worker !== null ? { worker } : { worker: null, reason: whyNone(task, workers) };
}

function byStrategy(task: DispatchableTask, workers: readonly WorkerSnapshot[], state: ChoiceState): WorkerSnapshot | null {
  switch (task.routing) {
    case 'leastLoaded':
      return leastLoaded(task, workers);
    case 'roundRobin':
      return roundRobin(task, workers, state);
    case 'random':
      return random(task, workers, state);
    case 'consistentHash': {
      const owner = rendezvousOwner(task, workers);
      return owner !== null && hasRoom(owner) ? owner : null;
    }
    default:
      // 'broadcast' without a pin, or a strategy this code does not know: whyNone says which.
      return null;
  }
}

function pinned(task: DispatchableTask, workers: readonly WorkerSnapshot[]): WorkerSnapshot | null {
  for (const w of workers) {
    if (w.id === task.pinnedWorkerId) return isEligible(w, task) ? w : null;
  }
  return null;
}

function leastLoaded(task: DispatchableTask, workers: readonly WorkerSnapshot[]): WorkerSnapshot | null {
  let best: WorkerSnapshot | null = null;
  let avoided: WorkerSnapshot | null = null;
  for (const w of workers) {
    if (!isEligible(w, task)) continue;
    if (w.id === task.avoidWorkerId) avoided = w;
    else if (best === null || byLoad(w, best) < 0) best = w;
  }
  return best ?? avoided;
}

function roundRobin(task: DispatchableTask, workers: readonly WorkerSnapshot[], state: ChoiceState): WorkerSnapshot | null {
  const last = state.lastChosen(task.routingKey);
  // The first eligible Worker in name order, and the first one after `last`: next ?? first wraps around.
  let first: WorkerSnapshot | null = null;
  let next: WorkerSnapshot | null = null;
  let avoided: WorkerSnapshot | null = null;
  for (const w of workers) {
    if (!isEligible(w, task)) continue;
    if (w.id === task.avoidWorkerId) {
      avoided = w;
      continue;
    }
    if (first === null || byName(w, first) < 0) first = w;
    if (last !== undefined && byName(w, last) > 0 && (next === null || byName(w, next) < 0)) next = w;
  }
  const chosen = next ?? first ?? avoided;
  if (chosen !== null) state.remember(task.routingKey, chosen);
  return chosen;
}

function random(task: DispatchableTask, workers: readonly WorkerSnapshot[], state: ChoiceState): WorkerSnapshot | null {
  let count = 0;
  let avoided: WorkerSnapshot | null = null;
  for (const w of workers) {
    if (!isEligible(w, task)) continue;
    if (w.id === task.avoidWorkerId) avoided = w;
    else state.add(count++, w);
  }
  return state.pick(count) ?? avoided;
}

/**
 * The Worker that owns `task.routingKey`, full or not: the highest weight among the usable Workers,
 * or the runner-up when the owner is the one to avoid and the runner-up has a free slot.
 */
function rendezvousOwner(task: DispatchableTask, workers: readonly WorkerSnapshot[]): WorkerSnapshot | null {
  const keyHash = hashKey(task.routingKey);
  let top: WorkerSnapshot | null = null;
  let topWeight = 0;
  let second: WorkerSnapshot | null = null;
  let secondWeight = 0;
  for (const w of workers) {
    if (!isUsable(w, task)) continue;
    const weight = rendezvousWeight(keyHash, w.name);
    if (top === null || outranks(weight, w, topWeight, top)) {
      second = top;
      secondWeight = topWeight;
      top = w;
      topWeight = weight;
    } else if (second === null || outranks(weight, w, secondWeight, second)) {
      second = w;
      secondWeight = weight;
    }
  }
  if (top !== null && top.id === task.avoidWorkerId && second !== null && hasRoom(second)) return second;
  return top;
}

function outranks(weight: number, w: WorkerSnapshot, otherWeight: number, other: WorkerSnapshot): boolean {
  return weight !== otherWeight ? weight > otherWeight : byName(w, other) < 0;
}

// The weights below decide which Worker owns each consistentHash key on every server and across
// restarts: changing the hash moves nearly every key at once, so treat it as a stored format.
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) over the UTF-16 code units of `text`, continuing from the state `seed`. */
function fnv1a(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash;
}

/** MurmurHash3's finaliser: each input bit flips each output bit with probability about 1/2. */
function fmix32(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function hashKey(routingKey: string): number {
  return fmix32(fnv1a(routingKey, FNV_OFFSET_BASIS));
}

/** The weight of a Worker for a key: the name hashed on from the key's hash, then mixed. */
function rendezvousWeight(keyHash: number, name: string): number {
  return fmix32(fnv1a(name, keyHash));
}

/** Could run the Task if it had a free slot. Cheap checks first: this runs for every Worker of every Task. */
function isUsable(w: WorkerSnapshot, task: Pick<DispatchableTask, 'runner' | 'selector' | 'namespace'>): boolean {
  return w.online && !w.draining && servesNamespace(w, task.namespace) && w.runners.includes(task.runner) && matchesSelector(w, task.selector);
}

/** True when `w` runs Tasks of namespace `ns` (absent: `default`): it serves that one, or every one. */
export function servesNamespace(w: Pick<WorkerSnapshot, 'namespace'>, ns: string | undefined): boolean {
  return w.namespace === null || w.namespace === undefined || w.namespace === (ns ?? 'default');
}

function hasRoom(w: WorkerSnapshot): boolean {
  return w.running < w.capacity;
}

function isEligible(w: WorkerSnapshot, task: DispatchableTask): boolean {
  return hasRoom(w) && isUsable(w, task);
}

/** Negative when `a` is less loaded than `b`. */
function byLoad(a: WorkerSnapshot, b: WorkerSnapshot): number {
  // Cross-multiplied so that equal ratios (1/2 vs 2/4) compare equal, which floats do not promise.
  const load = a.running * b.capacity - b.running * a.capacity;
  if (load !== 0) return load;
  if (a.running !== b.running) return a.running - b.running;
  return byName(a, b);
}

/** Name by UTF-16 code unit, then id. */
function byName(a: RoundRobinCursor, b: RoundRobinCursor): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id - b.id;
}

/** Why `chooseWorker` found nobody, most specific cause first. Only called once nobody was found. */
function whyNone(task: DispatchableTask, workers: readonly WorkerSnapshot[]): string {
  if (task.pinnedWorkerId !== null) return whyNotPinned(task, task.pinnedWorkerId, workers);
  if (task.routing === 'broadcast') return 'broadcast task is not pinned to a worker (fan it out with broadcastTargets first)';
  if (!ROUTING_STRATEGIES.includes(task.routing)) return `unknown routing strategy '${String(task.routing)}'`;

  let online = 0;
  let offline = 0;
  let onlineServing = 0;
  let onlineRunner = 0;
  let offlineRunner = 0;
  let offlineMatching = 0;
  const draining: WorkerSnapshot[] = [];
  const full: WorkerSnapshot[] = [];
  let eligible = 0;
  for (const w of workers) {
    if (w.online) online++;
    else offline++;
    if (!servesNamespace(w, task.namespace)) continue;
    if (w.online) onlineServing++;
    if (!w.runners.includes(task.runner)) continue;
    if (w.online) onlineRunner++;
    else offlineRunner++;
    if (!matchesSelector(w, task.selector)) continue;
    if (!w.online) offlineMatching++;
    else if (w.draining) draining.push(w);
    else if (!hasRoom(w)) full.push(w);
    else eligible++;
  }

  if (online === 0) return `no worker is online${offline > 0 ? ` (${offline} offline)` : ''}`;
  if (onlineServing === 0) return `no online worker serves namespace '${task.namespace ?? 'default'}' (the ${online} online serve other namespaces only)`;
  const runner = `runner '${task.runner}'`;
  if (onlineRunner === 0) return `no online worker supports ${runner}${offlineDo(offlineRunner)}`;
  if (draining.length + full.length + eligible === 0) {
    return `no online worker matches selector ${describeSelector(task.selector)}${offlineDo(offlineMatching)}`;
  }
  if (eligible === 0) {
    if (full.length === 0) return `${allMatching(draining, 'draining')}${others(0, offlineMatching)}`;
    return `${allMatching(full, 'at capacity')}${others(draining.length, offlineMatching)}`;
  }
  if (task.routing === 'consistentHash') {
    const owner = rendezvousOwner(task, workers);
    if (owner !== null) return `consistentHash worker '${owner.name}' is at capacity`;
  }
  return 'no eligible worker';
}

function whyNotPinned(task: DispatchableTask, workerId: number, workers: readonly WorkerSnapshot[]): string {
  const w = workers.find((x) => x.id === workerId);
  if (w === undefined) return `worker #${workerId} (pinned shard) is offline or unknown`;
  const subject = `worker '${w.name}' (pinned shard)`;
  if (!w.online) return `${subject} is offline`;
  if (!servesNamespace(w, task.namespace)) return `${subject} serves namespace '${String(w.namespace)}' only`;
  if (!w.runners.includes(task.runner)) return `${subject} does not support runner '${task.runner}'`;
  if (!matchesSelector(w, task.selector)) return `${subject} does not match selector ${describeSelector(task.selector)}`;
  if (w.draining) return `${subject} is draining`;
  if (!hasRoom(w)) return `${subject} is at capacity`;
  return `${subject} is not eligible`;
}

function allMatching(workers: readonly WorkerSnapshot[], state: string): string {
  return workers.length === 1
    ? `the only matching worker '${workers[0].name}' is ${state}`
    : `all ${workers.length} matching workers are ${state}`;
}

function offlineDo(count: number): string {
  if (count === 0) return '';
  return count === 1 ? ' (1 offline worker does)' : ` (${count} offline workers do)`;
}

function others(draining: number, offline: number): string {
  const parts: string[] = [];
  if (draining > 0) parts.push(`${draining} draining`);
  if (offline > 0) parts.push(`${offline} offline`);
  return parts.length === 0 ? '' : ` (plus ${parts.join(', ')})`;
}

/** `labels {env=prod, zone=a} names [w1, w2]`, labels sorted by key; parts that restrict nothing are left out. */
function describeSelector(selector: WorkerSelector | null): string {
  const parts: string[] = [];
  const labels = Object.entries(selector?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) parts.push(`labels {${labels.map(([k, v]) => `${k}=${v}`).join(', ')}}`);
  if (selector?.names !== undefined && selector.names.length > 0) parts.push(`names [${selector.names.join(', ')}]`);
  return parts.join(' ');
}
