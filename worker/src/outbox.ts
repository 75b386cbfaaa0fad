import type { TaskOutput, TaskUpdate } from '@cronfleet/shared';

/** The socket as the outbox sees it; implemented by the connection. */
export interface OutboxChannel {
  /** True once the server has accepted `worker:hello` on the current connection. */
  readonly ready: boolean;
  emitOutput(msg: TaskOutput): void;
  /** Resolves with the server's ack; rejects on timeout or when the connection drops first. */
  emitUpdate(msg: TaskUpdate, timeoutMs: number): Promise<unknown>;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** How long to wait for the ack of a `task:update`, in milliseconds. Default 5000. */
  ackTimeoutMs?: number;
  /** Pause before re-sending an update whose ack timed out on a live connection, in ms. Default 1000. */
  retryDelayMs?: number;
  /** Most output held while disconnected, in UTF-8 bytes; the oldest is dropped past it. Default 8 MiB. */
  maxHeldOutputBytes?: number;
}

/**
 * Delivers task updates and output over a connection that comes and goes.
 *
 * Nothing is emitted before the server has answered `worker:hello`: socket.io-client would otherwise
 * replay its own buffer ahead of the hello. Output held meanwhile goes first on the next connection,
 * then every update not yet acked. An update is kept until the server acks it; a task's later update
 * replaces an unsent earlier one (a final status supersedes `running`). Output is best effort: the
 * `seq` gap tells the server when some was dropped.
 */
export class Outbox {
  private readonly updates = new Map<number, TaskUpdate>();
  private readonly inFlight = new Set<TaskUpdate>();
  private heldOutput: TaskOutput[] = [];
  private heldBytes = 0;
  private droppedBytes = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private readonly ackTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxHeldOutputBytes: number;

  constructor(
    private readonly channel: OutboxChannel,
    private readonly log: (line: string) => void,
    options: OutboxOptions = {},
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxHeldOutputBytes = options.maxHeldOutputBytes ?? 8 * 1024 * 1024;
  }

  /** Number of updates the server has not acked yet. */
  get unackedUpdates(): number {
    return this.updates.size;
  }

  hasUpdateFor(taskId: number): boolean {
    return this.updates.has(taskId);
  }

  sendOutput(msg: TaskOutput): void {
    if (this.channel.ready) {
      this.channel.emitOutput(msg);
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

  sendUpdate(msg: TaskUpdate): void {
    this.updates.set(msg.taskId, msg);
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
    for (const msg of held) this.channel.emitOutput(msg);
    for (const msg of this.updates.values()) this.deliver(msg);
  }

  /** Resolves once every update is acked (at once when none is pending). */
  whenDelivered(): Promise<void> {
    if (this.updates.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops retrying; updates not acked by now are given up. */
  dispose(): void {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  private deliver(msg: TaskUpdate): void {
    if (this.inFlight.has(msg)) return;
    this.inFlight.add(msg);
    this.channel.emitUpdate(msg, this.ackTimeoutMs).then(
      (ack) => {
        this.inFlight.delete(msg);
        if ((ack as { recorded?: unknown } | null)?.recorded === false) {
          this.log(`task ${msg.taskId}: server did not record its ${msg.status} update`);
        }
        if (this.updates.get(msg.taskId) === msg) this.updates.delete(msg.taskId);
        if (this.updates.size === 0) this.wakeWaiters();
      },
      () => {
        this.inFlight.delete(msg);
        // A dropped connection re-sends from onReady(); only a live but silent server needs a retry here.
        if (!this.channel.ready || this.updates.get(msg.taskId) !== msg) return;
        this.log(`task ${msg.taskId}: no ack for its ${msg.status} update within ${this.ackTimeoutMs} ms; re-sending`);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          if (this.channel.ready && this.updates.get(msg.taskId) === msg) this.deliver(msg);
        }, this.retryDelayMs);
        this.retryTimers.add(timer);
      },
    );
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

