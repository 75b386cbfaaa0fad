import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINAL_TASK_STATUSES, TaskUpdateSchema, describeIssues, type TaskUpdate } from '@cronfleet/shared';

/** Options of {@link ResultSpool.open}. */
export interface ResultSpoolOptions {
  /** Most results kept on disk; past it the oldest are dropped. Default 10,000. */
  maxResults?: number;
  /** Most bytes of result files kept on disk; past it the oldest are dropped. Default 16 MiB. */
  maxBytes?: number;
  log: (line: string) => void;
}

/** The state directory cannot be created, read or written: a configuration problem, not a crash. */
export class StateDirError extends Error {
  readonly code = 'StateDirUnusable';
}

const RESULT_FILE = /^task-(\d+)\.json$/;
/** A result is a few hundred bytes (an error message is at most 4000 characters); anything bigger is not ours. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * Final task results kept on disk until the server acknowledges them, so they survive a worker
 * restart as well as a disconnect. One small JSON file per result, `task-<taskId>.json`, written
 * under a temporary name and renamed, so a crash leaves the old file or the new one, never half of
 * one. Files are not fsynced: they survive the worker process dying, not necessarily a power cut.
 *
 * Bounded by count and by bytes: past either bound the oldest results are dropped, with a log line.
 * The server marks the tasks of a worker gone that long `lost` anyway.
 */
export class ResultSpool {
  /** taskId → file size, oldest first. */
  private readonly files = new Map<number, number>();
  private totalBytes = 0;
  private readonly maxResults: number;
  private readonly maxBytes: number;
  private readonly log: (line: string) => void;

  private constructor(
    /** The state directory. */
    readonly dir: string,
    options: ResultSpoolOptions,
  ) {
    this.maxResults = options.maxResults ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.log = options.log;
  }

  /**
   * Creates `dir` if needed, checks that it can be written, and reads the results an earlier run of
   * this worker left there, oldest first. Throws {@link StateDirError} naming the directory.
   */
  static open(dir: string, options: ResultSpoolOptions): { spool: ResultSpool; results: TaskUpdate[] } {
    const spool = new ResultSpool(dir, options);
    let names: string[];
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const probe = join(dir, `.probe-${process.pid}.tmp`);
      writeFileSync(probe, '');
      unlinkSync(probe);
      names = readdirSync(dir);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new StateDirError(
        `state directory ${dir} is not usable (${reason}); point --state-dir or CRONFLEET_WORKER_STATE_DIR at a writable directory`,
      );
    }
    const results = spool.load(names);
    return { spool, results };
  }

  /** Number of results on disk. */
  get size(): number {
    return this.files.size;
  }

  /**
   * Writes `update` (a final one) to disk, replacing an earlier result of the same task, then drops
   * the oldest results past the bounds and returns their task ids. Throws when the write fails.
   */
  save(update: TaskUpdate): number[] {
    const data = JSON.stringify(update);
    const bytes = Buffer.byteLength(data);
    const file = this.path(update.taskId);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, file);
    } catch (e) {
      removeFile(tmp);
      throw e;
    }
    this.forget(update.taskId);
    this.files.set(update.taskId, bytes);
    this.totalBytes += bytes;
    return this.enforceBounds(update.taskId);
  }

  /** Removes the result of `taskId` (the server has it); nothing happens when there is none. */
  remove(taskId: number): void {
    if (!this.files.has(taskId)) return;
    this.forget(taskId);
    try {
      removeFile(this.path(taskId));
    } catch (e) {
      this.log(`could not remove ${this.path(taskId)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private load(names: string[]): TaskUpdate[] {
    const found: Array<{ update: TaskUpdate; bytes: number }> = [];
    for (const name of names) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        removeQuietly(file); // a write cut short by a crash: its result was never sent, so never acked
        continue;
      }
      const m = RESULT_FILE.exec(name);
      if (!m) continue;
      const read = readResult(file, Number(m[1]));
      if (typeof read === 'string') {
        this.log(`removed unreadable result file ${file}: ${read}`);
        removeQuietly(file);
        continue;
      }
      found.push(read);
    }
    found.sort((a, b) => a.update.atMs - b.update.atMs || a.update.taskId - b.update.taskId);
    for (const { update, bytes } of found) {
      this.files.set(update.taskId, bytes);
      this.totalBytes += bytes;
    }
    const dropped = new Set(this.enforceBounds(null));
    return found.map((f) => f.update).filter((u) => !dropped.has(u.taskId));
  }

  /** Drops the oldest results until both bounds hold, never `keep` (the one just written). */
  private enforceBounds(keep: number | null): number[] {
    const dropped: number[] = [];
    for (const taskId of this.files.keys()) {
      if (this.files.size <= this.maxResults && this.totalBytes <= this.maxBytes) break;
      if (taskId === keep) continue;
      this.remove(taskId);
      dropped.push(taskId);
    }
    if (dropped.length > 0) {
      const ids = dropped.length > 10 ? `${dropped.slice(0, 10).join(', ')}, …` : dropped.join(', ');
      this.log(
        `result spool ${this.dir} is full (at most ${this.maxResults} results, ${this.maxBytes} bytes): ` +
          `dropped the ${dropped.length} oldest undelivered result(s) (task ${ids})`,
      );
    }
    return dropped;
  }

  private forget(taskId: number): void {
    const bytes = this.files.get(taskId);
    if (bytes === undefined) return;
    this.files.delete(taskId);
    this.totalBytes -= bytes;
  }

  private path(taskId: number): string {
    return join(this.dir, `task-${taskId}.json`);
  }
}

/** A valid final result of task `taskId`, or what is wrong with the file. */
function readResult(file: string, taskId: number): { update: TaskUpdate; bytes: number } | string {
  let text: string;
  try {
    const { size } = statSync(file);
    if (size > MAX_FILE_BYTES) return `${size} bytes, more than a result can be`;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = TaskUpdateSchema.safeParse(json);
  if (!parsed.success) return describeIssues(parsed.error, 'result');
  const update = parsed.data;
  if (update.taskId !== taskId) return `holds task ${update.taskId}, not ${taskId}`;
  if (!FINAL_TASK_STATUSES.includes(update.status)) return `status ${update.status} is not final`;
  return { update, bytes: Buffer.byteLength(text) };
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    // Gone already: a second worker sharing the directory, or a write that never got that far.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function removeQuietly(file: string): void {
  try {
    removeFile(file);
  } catch {
    // Best effort: a stale file left behind costs a line at the next start, nothing more.
  }
}
