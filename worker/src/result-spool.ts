import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { FINAL_TASK_STATUSES, TaskUpdateSchema, describeIssues, type TaskUpdate } from '@cronfleet/shared';

/** Options of {@link ResultSpool.open}. */
export interface ResultSpoolOptions {
  /** Most results kept on disk; past it the oldest are dropped. Default 10,000. */
  maxResults?: number;
  /** Most bytes of results (their JSON) kept on disk; past it the oldest are dropped. Default 16 MiB. */
  maxBytes?: number;
  log: (line: string) => void;
}

/** The state directory cannot be created, read or written: a configuration problem, not a crash. */
export class StateDirError extends Error {
  readonly code = 'StateDirUnusable';
}

/** The journal's name in the state directory. */
export const JOURNAL_FILE = 'results.journal';
/** One file per result, as workers before the journal kept them; read once, folded into the journal. */
const LEGACY_RESULT_FILE = /^task-(\d+)\.json$/;
const REMOVAL_LINE = /^-(\d+)$/;
/** A result is a few hundred bytes (an error message is at most 4000 characters); anything bigger is not ours. */
const MAX_RESULT_BYTES = 64 * 1024;
/**
 * Lines and bytes of delivered results the journal may carry beyond twice the live ones before it is
 * compacted: enough that a busy worker compacts about once per 500 results, each time rewriting only
 * the few results still in flight.
 */
const SLACK_LINES = 1000;
const SLACK_BYTES = 1024 * 1024;
/** O_APPEND although the file is new: after a failed write, ftruncate then puts the next one back at the end. */
const REWRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

interface Entry {
  json: string;
  /** UTF-8 bytes of `json`, what maxBytes counts. */
  bytes: number;
}

/**
 * Final task results kept on disk until the server acknowledges them, so they survive a worker
 * restart as well as a disconnect.
 *
 * One append-only journal, `results.journal`, held open: a line `+<result JSON>` per saved result and
 * `-<taskId>` per removal; replaying it, later lines winning, gives the results not yet delivered.
 * save() appends its line with one write(2) before it returns, because the outbox sends the result
 * right after. (A file per result cost an open, a rename and an unlink each: the largest single cost
 * of a busy worker.) Removals are collected for the rest of the event-loop turn and written together
 * before the next save, at the end of the turn, at close() or at process exit: one lost to a crash
 * only means a result sent again after the restart, and the server ignores a result it already has.
 * Nothing is fsynced: results survive the worker process dying, not necessarily a power cut.
 *
 * Compaction: once the journal holds more than twice the lines or the bytes of the live results plus
 * some slack, the live results are written to `results.journal.tmp`, which is renamed over the
 * journal, so a crash leaves the old journal or the new one. Every open compacts too, which drops a
 * last line a crash cut short and folds in the `task-<id>.json` files an older worker left.
 *
 * Bounded by count and by bytes: past either bound the oldest results are dropped, with a log line.
 * The server marks the tasks of a worker gone that long `lost` anyway.
 *
 * One process per state directory, as docs/workers.md asks of workers: another appending to the same
 * journal would lose its lines to this one's next compaction.
 */
export class ResultSpool {
  /** taskId → result, oldest first. */
  private readonly entries = new Map<number, Entry>();
  private totalBytes = 0;
  /** The journal, open for appending; null before the first compaction and after close(). */
  private fd: number | null = null;
  private journalLines = 0;
  private journalBytes = 0;
  /** `-<taskId>` lines not written yet, and how many. */
  private pendingRemovals = '';
  private pendingLines = 0;
  private flushTimer: NodeJS.Immediate | undefined;
  /** After a failed compaction, the next waits until the journal has this many lines. */
  private retryCompactionAtLines = 0;
  private readonly journal: string;
  private readonly maxResults: number;
  private readonly maxBytes: number;
  private readonly log: (line: string) => void;
  private readonly flushAtExit = (): void => this.flush();

  private constructor(
    /** The state directory. */
    readonly dir: string,
    options: ResultSpoolOptions,
  ) {
    this.journal = join(dir, JOURNAL_FILE);
    this.maxResults = options.maxResults ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.log = options.log;
  }

  /**
   * Creates `dir` if needed, checks that it can be written, and reads the results an earlier run of
   * this worker left there, oldest first. Throws {@link StateDirError} naming the directory.
   * The spool holds a file open until {@link close}.
   */
  static open(dir: string, options: ResultSpoolOptions): { spool: ResultSpool; results: TaskUpdate[] } {
    const names = usable(dir, () => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const probe = join(dir, `.probe-${process.pid}.tmp`);
      writeFileSync(probe, '');
      unlinkSync(probe);
      return readdirSync(dir);
    });
    const spool = new ResultSpool(dir, options);
    const results = spool.load(names);
    process.on('exit', spool.flushAtExit);
    return { spool, results };
  }

  /** Number of results on disk. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Appends `update` (a final one) to the journal, replacing an earlier result of the same task, then
   * drops the oldest results past the bounds and returns their task ids. Throws when the write fails.
   */
  save(update: TaskUpdate): number[] {
    const json = JSON.stringify(update);
    const data = Buffer.from(`${this.pendingRemovals}+${json}\n`);
    this.append(data);
    this.journalLines += this.pendingLines + 1;
    const bytes = data.length - this.pendingRemovals.length - 2; // removals and the line's two marks are ASCII
    this.pendingRemovals = '';
    this.pendingLines = 0;
    this.forget(update.taskId);
    this.entries.set(update.taskId, { json, bytes });
    this.totalBytes += bytes;
    const dropped = this.enforceBounds(update.taskId);
    this.compactIfWasteful();
    return dropped;
  }

  /** Removes the result of `taskId` (the server has it); nothing happens when there is none. */
  remove(taskId: number): void {
    if (!this.forget(taskId) || this.fd === null) return;
    this.pendingRemovals += `-${taskId}\n`;
    this.pendingLines++;
    this.flushTimer ??= setImmediate(() => this.flush());
  }

  /** Writes the removals not written yet and closes the journal; save() throws after this. */
  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeQuietly(this.fd);
    this.fd = null;
    process.off('exit', this.flushAtExit);
  }

  private flush(): void {
    clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingLines === 0 || this.fd === null) return;
    const data = Buffer.from(this.pendingRemovals);
    const lines = this.pendingLines;
    this.pendingRemovals = '';
    this.pendingLines = 0;
    try {
      this.append(data);
    } catch (e) {
      this.log(`could not record ${lines} delivered result(s) in ${this.journal} (${reason(e)}); they will be sent again after a restart`);
      return;
    }
    this.journalLines += lines;
    this.compactIfWasteful();
  }

  /** Writes all of `data` at the end of the journal, or nothing of it and throws. */
  private append(data: Buffer): void {
    if (this.fd === null) throw new Error(`the result spool in ${this.dir} is closed`);
    try {
      writeAll(this.fd, data);
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.journalBytes);
      } catch {
        // The next line is then glued to the torn one; replay drops the pair with a log line.
      }
      throw e;
    }
    this.journalBytes += data.length;
  }

  private compactIfWasteful(): void {
    if (this.journalLines < this.retryCompactionAtLines) return;
    const wasteful =
      this.journalLines > 2 * this.entries.size + SLACK_LINES || this.journalBytes > 2 * this.totalBytes + SLACK_BYTES;
    if (!wasteful) return;
    try {
      this.compact();
    } catch (e) {
      this.retryCompactionAtLines = this.journalLines + SLACK_LINES;
      this.log(`could not compact ${this.journal} (${reason(e)}); trying again after ${SLACK_LINES} more lines`);
    }
  }

  /** Rewrites the journal with the live results only and appends to the new one from then on. */
  private compact(): void {
    let text = '';
    for (const { json } of this.entries.values()) text += `+${json}\n`;
    const data = Buffer.from(text);
    const tmp = `${this.journal}.tmp`;
    const fd = openSync(tmp, REWRITE_FLAGS, 0o600);
    try {
      writeAll(fd, data);
      renameSync(tmp, this.journal);
    } catch (e) {
      closeQuietly(fd);
      removeQuietly(tmp);
      throw e;
    }
    if (this.fd !== null) closeQuietly(this.fd);
    this.fd = fd;
    this.journalLines = this.entries.size;
    this.journalBytes = data.length;
    this.pendingRemovals = '';
    this.pendingLines = 0;
    this.retryCompactionAtLines = 0;
  }

  private load(names: string[]): TaskUpdate[] {
    const found = new Map<number, TaskUpdate>();
    const legacy: string[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        removeQuietly(file); // a write or compaction cut short by a crash: the journal is whole without it
        continue;
      }
      const m = LEGACY_RESULT_FILE.exec(name);
      if (!m) continue;
      const read = readLegacyResult(file, Number(m[1]));
      if (typeof read === 'string') {
        this.log(`removed unreadable result file ${file}: ${read}`);
        removeQuietly(file);
        continue;
      }
      found.set(read.taskId, read);
      legacy.push(file);
    }
    // After the legacy files: they are older, and a removal in the journal means the server has the result.
    this.replay(usable(this.dir, () => readJournal(this.journal)), found);

    const sorted = [...found.values()].sort((a, b) => a.atMs - b.atMs || a.taskId - b.taskId);
    for (const update of sorted) {
      const json = JSON.stringify(update);
      const bytes = Buffer.byteLength(json);
      this.entries.set(update.taskId, { json, bytes });
      this.totalBytes += bytes;
    }
    const dropped = new Set(this.enforceBounds(null));
    usable(this.dir, () => this.compact());
    if (legacy.length > 0) this.removeImported(legacy);
    return sorted.filter((u) => !dropped.has(u.taskId));
  }

  private replay(text: string, found: Map<number, TaskUpdate>): void {
    const lines = text.split('\n');
    // What follows the last newline is a write a crash cut short: its save() never returned, so its
    // result was never sent. (After a complete last line it is the empty string.)
    lines.pop();
    lines.forEach((line, i) => {
      const removal = REMOVAL_LINE.exec(line);
      if (removal) {
        found.delete(Number(removal[1]));
        return;
      }
      const read = line.startsWith('+') ? parseResult(line.slice(1)) : 'neither a result nor a removal';
      if (typeof read === 'string') {
        this.log(`dropped unreadable line ${i + 1} of ${this.journal}: ${read}`);
        return;
      }
      found.delete(read.taskId); // the latest result of a task is the newest, for the bounds
      found.set(read.taskId, read);
    });
  }

  /** The journal now holds these results: an older worker's files must go, or they would come back after their removal. */
  private removeImported(files: string[]): void {
    let failed = 0;
    for (const file of files) {
      try {
        removeFile(file);
      } catch (e) {
        failed++;
        this.log(`could not remove ${file} after moving its result into ${this.journal}: ${reason(e)}`);
      }
    }
    if (failed < files.length) this.log(`moved ${files.length - failed} result file(s) of an older worker version into ${this.journal}`);
  }

  /** Drops the oldest results until both bounds hold, never `keep` (the one just written). */
  private enforceBounds(keep: number | null): number[] {
    const dropped: number[] = [];
    for (const taskId of this.entries.keys()) {
      if (this.entries.size <= this.maxResults && this.totalBytes <= this.maxBytes) break;
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

  /** False when there is no result of `taskId`. */
  private forget(taskId: number): boolean {
    const entry = this.entries.get(taskId);
    if (entry === undefined) return false;
    this.entries.delete(taskId);
    this.totalBytes -= entry.bytes;
    return true;
  }
}

/** Runs the state directory's I/O `work`, turning its failure into a {@link StateDirError} naming the directory. */
function usable<T>(dir: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    throw new StateDirError(
      `state directory ${dir} is not usable (${reason(e)}); point --state-dir or CRONFLEET_WORKER_STATE_DIR at a writable directory`,
    );
  }
}

function readJournal(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ''; // a new state directory
    throw e;
  }
}

/** A valid final result, or what is wrong with `text`. */
function parseResult(text: string): TaskUpdate | string {
  const size = Buffer.byteLength(text);
  if (size > MAX_RESULT_BYTES) return `${size} bytes, more than a result can be`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = TaskUpdateSchema.safeParse(json);
  if (!parsed.success) return describeIssues(parsed.error, 'result');
  const update = parsed.data;
  if (!FINAL_TASK_STATUSES.includes(update.status)) return `status ${update.status} is not final`;
  return update;
}

/** A valid final result of task `taskId`, or what is wrong with the file. */
function readLegacyResult(file: string, taskId: number): TaskUpdate | string {
  let text: string;
  try {
    const { size } = statSync(file);
    if (size > MAX_RESULT_BYTES) return `${size} bytes, more than a result can be`;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return reason(e);
  }
  const update = parseResult(text);
  if (typeof update === 'string' || update.taskId === taskId) return update;
  return `holds task ${update.taskId}, not ${taskId}`;
}

/** write(2) may write less than asked (a full disk); the rest goes in further calls or throws. */
function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done);
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing was buffered in user space to lose; the descriptor is released either way.
  }
}
