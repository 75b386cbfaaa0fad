import type { TaskOutput } from '@cronfleet/shared';

/** Options of {@link OutputBatcher}. */
export interface OutputBatcherOptions {
  /** Longest a piece of output waits before it is sent, in milliseconds. Default 100. */
  intervalMs?: number;
  /** A batch this large (UTF-8 bytes) is sent at once, without waiting. Default 64 KiB. */
  maxBatchBytes?: number;
}

/**
 * Collects a task's output and sends it as `task:output` batches numbered 0, 1, 2, …, so a chatty
 * task costs a few messages a second instead of one per pipe read.
 */
export class OutputBatcher {
  private pending: string[] = [];
  private pendingBytes = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly maxBatchBytes: number;

  constructor(
    private readonly taskId: number,
    private readonly send: (msg: TaskOutput) => void,
    options: OutputBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxBatchBytes = options.maxBatchBytes ?? 64 * 1024;
  }

  write(text: string): void {
    if (!text) return;
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text);
    if (this.pendingBytes >= this.maxBatchBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what is pending now; called before the task's final update so output never trails it. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.send({ taskId: this.taskId, seq: this.seq++, data });
  }
}
