import type { TaskOutput, TaskUpdate } from '@cronfleet/shared';

/** The socket as the outbox sees it; implemented by the connection. */
export interface OutboxChannel {
  /** True once the server has accepted `worker:hello` on the current connection. */
  readonly ready: boolean;
  /** Resolves once the server has stored the chunk (or could not); rejects on timeout or disconnect. */
  emitOutput(msg: TaskOutput): Promise<unknown>;
  /** Resolves with the server's ack; rejects on timeout or when the connection drops first. */
  emitUpdate(msg: TaskUpdate, timeoutMs: number): Promise<unknown>;
}

/** Where final results wait on disk until the server acks them; implemented by {@link ResultSpool}. */
export interface ResultStore {
  /** The directory, for messages. */
  readonly dir: string;
  /** Writes a final update; returns the task ids of older results dropped to stay within bounds. Throws on failure. */
  save(update: TaskUpdate): number[];
  remove(taskId: number): void;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** How long to wait for the ack of a `task:update`, in milliseconds. Default 5000. */
  ackTimeoutMs?: number;
  /**
   * Pause before re-sending an update whose ack timed out on a live connection, in ms; doubled for
   * each time in a row the server answers a result with `recorded: false`, up to 60 s. Default 1000.
   */
  retryDelayMs?: number;
  /** Most held output while disconnected, in UTF-8 bytes; the oldest is dropped past it. Default 8 MiB. */
  maxHeldOutputBytes?: number;
  /** Most updates awaiting their ack at once; the rest wait their turn. Default 100. */
  maxInFlight?: number;
  /** Keeps final updates on disk until acked. Default: none (memory only). */
  store?: ResultStore;
  /** Told about failures worth a heartbeat's `lastError`. */
  onError?: (code: string, message: string) => void;
}

const NOT_RECORDED_RETRY_MAX_MS = 60_000;

/**
 * Delivers task updates and output over a connection that comes and goes.
 *
 * Nothing is emitted before the server has answered `worker:hello`: socket.io-client would otherwise
 * replay its own buffer ahead of the hello. Output held meanwhile goes first on the next connection,
 * then every update not yet acked. An update is kept until the server acks it; a task's later update
 * replaces an unsent earlier one (a final status supersedes `running`). Output is best effort: the
 * `seq` gap tells the server when some was dropped.
 *
 * Final updates (results) are also written to the {@link ResultStore} before they are sent and
 * removed from it once the server acks them `recorded`, so a worker restarted before the ack
 * delivers them then ({@link restore}). `recorded: false` only comes from a server that could not
 * store the result at that moment (the worker never sends an invalid one), so the result is re-sent
 * with backoff rather than given up. `running` updates live in memory only.
 */
/** Output on its way to the server above which tasks are paused, and below which they resume. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;
const OUTPUT_LOW_WATER = 1024 * 1024;

export class Outbox {
  private readonly updates = new Map<number, TaskUpdate>();
  /** Output bytes emitted and not yet acknowledged by the server, and who waits for that to drop. */
  private outputInFlight = 0;
  private roomWaiters: Array<() => void> = [];
  private readonly inFlight = new Set<TaskUpdate>();
  /** Updates to send once a slot in {@link inFlight} is free, oldest first. */
  private readonly queued = new Set<TaskUpdate>();
  /** taskId → times in a row the server answered `recorded: false`. */
  private readonly refusals = new Map<number, number>();
  private heldOutput: TaskOutput[] = [];
  private heldBytes = 0;
  private droppedBytes = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private disposed = false;
  private readonly ackTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxHeldOutputBytes: number;
  private readonly maxInFlight: number;
  private readonly store: ResultStore | undefined;
  private readonly onError: (code: string, message: string) => void;

  constructor(
    private readonly channel: OutboxChannel,
    private readonly log: (line: string) => void,
    options: OutboxOptions = {},
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxHeldOutputBytes = options.maxHeldOutputBytes ?? 8 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.store = options.store;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Number of updates the server has not acked yet. */
  get unackedUpdates(): number {
    return this.updates.size;
  }

  hasUpdateFor(taskId: number): boolean {
    return this.updates.has(taskId);
  }

  /**
   * Tasks that ended here but whose result the server has not acked: the worker still answers for
   * them, so they count as its running tasks in `worker:hello` (else the server would mark them
   * `lost` on the hello, and ignore the result that follows it).
   */
  unreportedTaskIds(): number[] {
    return [...this.updates.values()].filter(isFinal).map((u) => u.taskId);
  }

  /** Results an earlier run of this worker left in the store: sent, like any unacked update, once ready. */
  restore(results: readonly TaskUpdate[]): void {
    for (const r of results) if (!this.updates.has(r.taskId)) this.updates.set(r.taskId, r);
  }

  sendOutput(msg: TaskOutput): void {
    if (this.channel.ready) {
      this.emitOutput(msg);
      return;
    }
    this.heldOutput.push(msg);
    this.heldBytes += Buffer.byteLength(msg.data);
    while (this.heldBytes > this.maxHeldOutputBytes && this.heldOutput.length > 1) {
      const dropped = this.heldOutput.shift() as TaskOutput;
      const bytes = Buffer.byteLength(dropped.data);
      this.heldBytes -= bytes;
      this.droppedBytes += bytes;
    }
  }

  /**
   * Null while less than OUTPUT_HIGH_WATER bytes of output are on their way to the server; else a
   * promise resolving once that is down to OUTPUT_LOW_WATER (or the connection drops: output is
   * then held, bounded, instead). Runners pause the task's streams meanwhile.
   */
  outputRoom(): Promise<void> | null {
    if (this.outputInFlight <= OUTPUT_HIGH_WATER || !this.channel.ready) return null;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private emitOutput(msg: TaskOutput): void {
    const bytes = Buffer.byteLength(msg.data);
    this.outputInFlight += bytes;
    const settled = (): void => {
      this.outputInFlight -= bytes;
      if (this.outputInFlight <= OUTPUT_LOW_WATER) this.wakeRoomWaiters();
    };
    this.channel.emitOutput(msg).then(settled, settled);
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  sendUpdate(msg: TaskUpdate): void {
    if (isFinal(msg)) this.persist(msg);
    this.updates.set(msg.taskId, msg);
    this.refusals.delete(msg.taskId);
    if (this.channel.ready) this.deliver(msg);
  }

  /** The connection is ready again: send held output, then every unacked update. */
  onReady(): void {
    if (this.droppedBytes > 0) {
      this.log(`dropped ${this.droppedBytes} bytes of task output held while disconnected`);
      this.droppedBytes = 0;
    }
    const held = this.heldOutput;
    this.heldOutput = [];
    this.heldBytes = 0;
    for (const msg of held) this.emitOutput(msg);
    for (const msg of this.updates.values()) this.deliver(msg);
  }

  /** Resolves once every update is acked (at once when none is pending). */
  whenDelivered(): Promise<void> {
    if (this.updates.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops sending and retrying; updates not acked by now stay in the store for the next start. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.queued.clear();
  }

  private persist(msg: TaskUpdate): void {
    if (!this.store) return;
    let dropped: number[];
    try {
      dropped = this.store.save(msg);
    } catch (e) {
      const message = `task ${msg.taskId}: could not write its ${msg.status} result to ${this.store.dir} ` +
        `(${e instanceof Error ? e.message : String(e)}); it is kept in memory only`;
      this.log(message);
      this.onError('ResultNotSaved', message);
      return;
    }
    if (dropped.length === 0) return;
    // The store logged which; they go from memory too, so memory stays within the same bound.
    for (const taskId of dropped) {
      this.updates.delete(taskId);
      this.refusals.delete(taskId);
    }
    this.onError('ResultsDropped', `dropped ${dropped.length} undelivered result(s): the result spool in ${this.store.dir} is full`);
  }

  private deliver(msg: TaskUpdate): void {
    if (this.inFlight.has(msg)) return;
    this.queued.add(msg);
    this.pump();
  }

  private pump(): void {
    for (const msg of this.queued) {
      if (this.disposed || !this.channel.ready || this.inFlight.size >= this.maxInFlight) return;
      this.queued.delete(msg);
      if (this.updates.get(msg.taskId) === msg) this.emit(msg);
    }
  }

  private emit(msg: TaskUpdate): void {
    this.inFlight.add(msg);
    this.channel.emitUpdate(msg, this.ackTimeoutMs).then(
      (ack) => {
        this.inFlight.delete(msg);
        this.answered(msg, ack);
        this.pump();
      },
      () => {
        this.inFlight.delete(msg);
        // A dropped connection re-sends from onReady(); only a live but silent server needs a retry here.
        if (this.channel.ready && this.updates.get(msg.taskId) === msg) {
          this.log(`task ${msg.taskId}: no ack for its ${msg.status} update within ${this.ackTimeoutMs} ms; re-sending`);
          this.retryLater(msg, this.retryDelayMs);
        }
        this.pump();
      },
    );
  }

  private answered(msg: TaskUpdate, ack: unknown): void {
    const recorded = (ack as { recorded?: unknown } | null)?.recorded;
    if (typeof recorded !== 'boolean') this.log(`task ${msg.taskId}: unexpected answer to task:update: ${JSON.stringify(ack) ?? 'nothing'}`);
    const current = this.updates.get(msg.taskId) === msg;
    const refusal = (ack as { refusal?: { code?: unknown; message?: unknown; retryable?: unknown } | null } | null)?.refusal;
    if (recorded === false && refusal && refusal.retryable === false) {
      // The server will never record it (not this worker's task, or ended otherwise): keeping it would
      // re-send it for ever.
      const message = `task ${msg.taskId}: the server will not record its ${msg.status} update (${String(refusal.code)}: ${String(refusal.message)}); dropped`;
      this.log(message);
      this.onError(String(refusal.code), message);
      if (!current) return;
      this.updates.delete(msg.taskId);
      this.refusals.delete(msg.taskId);
      if (isFinal(msg)) this.store?.remove(msg.taskId);
      if (this.updates.size === 0) this.wakeWaiters();
      return;
    }
    if (recorded !== true && isFinal(msg)) {
      if (current) this.notRecorded(msg);
      return;
    }
    if (recorded !== true) this.log(`task ${msg.taskId}: server did not record its ${msg.status} update`);
    if (!current) return;
    this.updates.delete(msg.taskId);
    this.refusals.delete(msg.taskId);
    if (isFinal(msg)) this.store?.remove(msg.taskId);
    if (this.updates.size === 0) this.wakeWaiters();
  }

  private notRecorded(msg: TaskUpdate): void {
    const times = (this.refusals.get(msg.taskId) ?? 0) + 1;
    this.refusals.set(msg.taskId, times);
    const delayMs = Math.min(this.retryDelayMs * 2 ** (times - 1), NOT_RECORDED_RETRY_MAX_MS);
    const message = `task ${msg.taskId}: the server did not record its ${msg.status} result; re-sending in ${delayMs / 1000} s`;
    this.log(message);
    this.onError('ResultNotRecorded', message);
    this.retryLater(msg, delayMs);
  }

  private retryLater(msg: TaskUpdate, delayMs: number): void {
    if (this.disposed) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.channel.ready && this.updates.get(msg.taskId) === msg) this.deliver(msg);
    }, delayMs);
    this.retryTimers.add(timer);
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function isFinal(update: TaskUpdate): boolean {
  return update.status !== 'running';
}
