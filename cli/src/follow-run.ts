import type { LiveEventMessage } from '@cronfleet/client';
import { CliError, EXIT } from './cli-error';
import { openLiveEvents, StreamClosed, type Api } from './client';

/** How one attempt ended, as its `task.finished` event says. */
export interface AttemptEnd {
  status: string;
  exitCode: number | null;
  /** The next attempt is due this long from now; null when none follows (a server from before this field: null too). */
  retryInMs: number | null;
}

/** The next attempt of a task, as its `task.created` event says. */
export interface NextAttempt {
  taskId: number;
  attempt: number;
}

/**
 * The live events of one cron job's tasks (`GET /sse/events?cronjobId=…&type=task.created,task.finished`),
 * opened before its run is started so that no end and no retry is missed, and read in the background:
 * how each attempt ended, and which task is the retry of which. The ends of other runs of the job
 * pass by unused. A stream that breaks off fails the waits still open (exit 4).
 */
export class RunEvents {
  private readonly ends = new Map<number, AttemptEnd>();
  private readonly retries = new Map<number, NextAttempt>();
  private readonly waiters = new Set<() => void>();
  private broken: CliError | null = null;

  private constructor(
    private readonly abort: AbortController,
    readonly done: Promise<void>,
  ) {}

  static async open(api: Api, cronjobId: number): Promise<RunEvents> {
    const abort = new AbortController();
    const stream = await openLiveEvents(api, { cronjobId, type: ['task.created', 'task.finished'], signal: abort.signal });
    let events!: RunEvents;
    const done = (async () => {
      try {
        for await (const ev of stream) events.take(ev);
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof StreamClosed) events.fail(new CliError(EXIT.unreachable, `the server at ${api.baseUrl} closed the event stream of the run before it ended`));
        else events.fail(e instanceof CliError ? e : new CliError(EXIT.unreachable, `lost the event stream of the run: ${(e as Error).message}`));
      }
    })();
    events = new RunEvents(abort, done);
    return events;
  }

  /** How task `taskId` ended, once its event came; null when it did not come within `withinMs`. */
  endOf(taskId: number, withinMs: number): Promise<AttemptEnd | null> {
    return this.until(() => this.ends.get(taskId), withinMs);
  }

  /** The retry of task `taskId` once it is created; null when none is created within `withinMs`. */
  retryOf(taskId: number, withinMs: number): Promise<NextAttempt | null> {
    return this.until(() => this.retries.get(taskId), withinMs);
  }

  close(): void {
    this.abort.abort();
    this.fail(new CliError(EXIT.unreachable, 'closed'));
  }

  private take(ev: LiveEventMessage): void {
    if (ev.event === 'task.finished') {
      const { data } = ev;
      this.ends.set(data.taskId, { status: data.status, exitCode: data.exitCode ?? null, retryInMs: typeof data.retryInMs === 'number' ? data.retryInMs : null });
    } else if (ev.event === 'task.created' && typeof ev.data.retryOf === 'number') {
      this.retries.set(ev.data.retryOf, { taskId: ev.data.taskId, attempt: ev.data.attempt });
    } else {
      return;
    }
    for (const w of [...this.waiters]) w();
  }

  private fail(e: CliError): void {
    this.broken ??= e;
    for (const w of [...this.waiters]) w();
  }

  /** What `get` finds, once it finds something; null after `withinMs` (if given). */
  private until<T>(get: () => T | undefined, withinMs?: number): Promise<T | null> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const found = get();
        if (found === undefined && !this.broken) return;
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        if (found !== undefined) resolve(found);
        else reject(this.broken);
      };
      this.waiters.add(check);
      if (withinMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.delete(check);
          resolve(null);
        }, withinMs);
      }
      check();
    });
  }
}
