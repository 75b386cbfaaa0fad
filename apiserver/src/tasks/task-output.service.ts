import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { TaskOutput } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { BatchSender, FINAL_TASK_STATUSES } from '@cronfleet/shared';
import { DomainError } from '../common/errors';
import { OutputKeeper, TAIL_SEQ, type OutputChunk } from './output-keeper';
import type { TaskEntity } from './task.entity';
import { TasksRepository, type OutputOwner } from './tasks.repository';
import { LiveFeed } from '../live/live-feed';
import type { StreamEnd } from '../auth/token-sessions';
import type { EventStream } from '../common/event-stream';

/** Live tasks whose output this instance keeps a tail of; past this the oldest keeper is written out. */
const MAX_KEEPERS = 10_000;
/** Output rows stored within this many ms go in one INSERT of at most this many rows and (about) characters. */
const INSERT_DELAY_MS = 10;
const INSERT_ROWS = 500;
const INSERT_CHARS = 4 * 1024 * 1024;
/** A follower reads what other instances stored this often (chunks on this instance come at once). */
const FOLLOW_READ_MS = 500;
/** A follower that lets more than this pile up unsent is dropped rather than allowed to grow memory. */
const FOLLOW_MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Task output on this instance: each chunk a worker sends goes to live followers here at once and
 * into storage within the task's cap (first half stored as it comes, last half kept in memory and
 * stored when the task ends; see OutputKeeper). Followers on other instances read the stored
 * chunks as they are written.
 */
@Injectable()
export class TaskOutputService {
  private readonly logger = new Logger('tasks');
  private readonly keepers = new Map<number, Promise<OutputKeeper>>();
  /** Chunks taken and not yet stored, by task. */
  private readonly adding = new Map<number, Set<Promise<void>>>();
  private readonly rows = new BatchSender<{ taskId: number; seq: number; data: string }, void>(
    async (rows) => {
      await this.repo.appendOutput(rows);
      return rows.map(() => undefined);
    },
    { maxItems: INSERT_ROWS, maxBytes: INSERT_CHARS, sizeOf: (r) => r.data.length, delayMs: INSERT_DELAY_MS },
  );
  /** Output ownership checks under way, by task; those begun in one turn are one query. */
  private readonly ownerChecks = new Map<number, Promise<OutputOwner | null>>();
  private readonly ownerReads = new BatchSender<number, OutputOwner | null>((ids) => this.repo.outputOwners(ids), { maxItems: 500 });
  /** The task of each open keeper: the one worker that may add to it, and whose it is. */
  private readonly openBy = new Map<number, OutputOwner>();
  /** `chunk:<taskId>` with an OutputChunk, `end:<taskId>` once its output is complete. */
  readonly live = new EventEmitter();

  constructor(
    private readonly repo: TasksRepository,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly liveEvents: LiveFeed,
  ) {
    this.live.setMaxListeners(0);
  }

  /**
   * A chunk from worker `workerId`. Only the worker a task was given to writes its output: a chunk
   * for an unknown task or another worker's is refused (checked once per task, when its output
   * starts; the chunks that come meanwhile wait for the same check, so they are kept in order).
   * `after`: what the check waits for first (the task's `running` report being written, so its
   * output never overtakes its start).
   */
  async fromWorker(workerId: number, msg: TaskOutput, after?: Promise<unknown>): Promise<void> {
    const open = this.openBy.get(msg.taskId);
    if (open) {
      if (open.workerId !== workerId) throw notGiven(msg.taskId, workerId);
      return this.add(msg, open);
    }
    let check = this.ownerChecks.get(msg.taskId);
    if (!check) {
      // Registered at once (the task's end waits for it), read once `after` (its start being written) settled.
      const read = after ? after.then(() => this.ownerReads.push(msg.taskId)) : this.ownerReads.push(msg.taskId);
      check = read.finally(() => this.ownerChecks.delete(msg.taskId));
      this.ownerChecks.set(msg.taskId, check);
    }
    const task = await check;
    if (!task || task.workerId !== workerId) throw notGiven(msg.taskId, workerId);
    if (!this.openBy.has(msg.taskId)) this.openBy.set(msg.taskId, task);
    return this.add(msg, task);
  }

  /** `task`: its row, when the caller has just read it (saves reading it again for its output cap). */
  private add(msg: TaskOutput, task: OutputOwner): Promise<void> {
    const adding = this.addNow(msg, task);
    // Tracked until stored, so the task's end waits for it (rows are written in batches, later).
    let pending = this.adding.get(msg.taskId);
    if (!pending) this.adding.set(msg.taskId, (pending = new Set()));
    pending.add(adding);
    const settled = (): void => {
      pending.delete(adding);
      if (pending.size === 0 && this.adding.get(msg.taskId) === pending) this.adding.delete(msg.taskId);
    };
    adding.then(settled, settled);
    return adding;
  }

  private async addNow(msg: TaskOutput, task: OutputOwner): Promise<void> {
    this.live.emit(`chunk:${msg.taskId}`, { seq: msg.seq, data: msg.data });
    this.liveEvents.task('task.output', msg.taskId, { seq: msg.seq, data: msg.data }, task);
    const keeper = await this.keeperOf(msg.taskId, task);
    await this.store(msg.taskId, keeper.add({ seq: msg.seq, data: msg.data }));
  }

  /**
   * The task ended: once the chunks it sent are stored, store what its keeper holds (the tail,
   * behind the marker) and tell followers. The caller writes the final status after this, so
   * whoever sees the status sees all of the output. With `workerId`, only if the output is that
   * worker's (a report from another worker must not close it).
   */
  async ended(taskId: number, workerId: number | null = null): Promise<void> {
    // Output still waiting for its ownership check is kept first (its continuation runs before this one).
    await this.ownerChecks.get(taskId)?.catch(() => null);
    const open = this.openBy.get(taskId);
    if (workerId !== null && open && open.workerId !== workerId) return;
    this.openBy.delete(taskId);
    const adding = this.adding.get(taskId);
    if (adding) await Promise.allSettled([...adding]);
    const keeper = this.keepers.get(taskId);
    this.keepers.delete(taskId);
    if (keeper) {
      await this.store(taskId, (await keeper).finish());
    }
    this.live.emit(`end:${taskId}`);
  }

  /**
   * `GET /tasks/:id/output?follow=true`: Server-Sent Events. Each `output` event is one chunk
   * `{ seq, data }` (what is stored first, then live), and `end` `{ status }` closes the stream once
   * the task has ended and all its stored output was sent. A client that does not keep up is sent
   * an `error` event and dropped. Returns a close that ends the stream with an `error` event saying
   * why (its token was revoked).
   */
  follow(taskId: number, res: EventStream): (end: StreamEnd) => void {
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let closed = false;
    // What was sent: worker sequence numbers live and from stored head chunks, and stored tail chunks.
    let liveMax = -1;
    let headMax = -1;
    let tailMax = -1;
    let storedMax = -1;
    const send = (event: string, data: unknown): void => {
      if (closed) return;
      res.write(`event: ${event}
data: ${JSON.stringify(data)}

`);
      if (res.writableLength > FOLLOW_MAX_BUFFERED) {
        res.write(`event: error
data: ${JSON.stringify({ code: 'SlowClient', message: 'the client did not keep up with the output; follow again to resume' })}

`);
        close();
      }
    };
    const onChunk = (c: OutputChunk): void => {
      if (c.seq <= Math.max(liveMax, headMax)) return;
      liveMax = c.seq;
      send('output', c);
    };
    const readStored = async (): Promise<void> => {
      for (let rows = await this.repo.outputAfter(taskId, storedMax); rows.length > 0 && !closed; rows = await this.repo.outputAfter(taskId, storedMax)) {
        for (const r of rows) {
          storedMax = r.seq;
          if (r.seq < TAIL_SEQ) {
            if (r.seq <= Math.max(liveMax, headMax)) continue;
            headMax = r.seq;
          } else {
            const ws = r.seq - TAIL_SEQ;
            if (ws <= liveMax || ws <= tailMax || ws < headMax) continue;
            tailMax = ws;
          }
          send('output', { seq: r.seq, data: r.data });
        }
      }
    };
    let timer: NodeJS.Timeout | null = null;
    let reading: Promise<void> = Promise.resolve();
    const close = (): void => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      this.live.off(`chunk:${taskId}`, onChunk);
      this.live.off(`end:${taskId}`, onEnd);
      if (!res.writableEnded) res.end();
    };
    /** Reads what is stored; ends the stream once the task has ended. */
    const check = async (): Promise<void> => {
      const t = await this.repo.findById(taskId);
      await readStored();
      if (!t || FINAL_TASK_STATUSES.includes(t.status)) {
        await readStored(); // the tail is written just before the status settles
        send('end', { status: t?.status ?? 'unknown' });
        close();
      }
    };
    const loop = (): void => {
      if (closed) return;
      reading = reading.then(check).catch((e: unknown) => {
        send('error', { code: 'ReadFailed', message: (e as Error).message });
        close();
      });
      void reading.then(() => {
        if (!closed) timer = setTimeout(loop, FOLLOW_READ_MS);
      });
    };
    const onEnd = (): void => {
      if (timer) clearTimeout(timer);
      loop();
    };
    res.on('close', close);
    this.live.on(`chunk:${taskId}`, onChunk);
    this.live.on(`end:${taskId}`, onEnd);
    loop();
    return (end) => {
      send('error', end);
      close();
    };
  }

  private async store(taskId: number, chunks: readonly OutputChunk[]): Promise<void> {
    await Promise.all(chunks.map((c) => this.rows.push({ taskId, seq: c.seq, data: c.data })));
  }

  private keeperOf(taskId: number, task: Pick<TaskEntity, 'maxOutputBytes'>): Promise<OutputKeeper> {
    let k = this.keepers.get(taskId);
    if (!k) {
      if (this.keepers.size >= MAX_KEEPERS) {
        const oldest = this.keepers.keys().next().value as number;
        void this.ended(oldest).catch((e: unknown) => this.logger.warn(`output of task ${oldest}: ${(e as Error).message}`));
      }
      const cap = (t: Pick<TaskEntity, 'maxOutputBytes'> | null): OutputKeeper => new OutputKeeper(t?.maxOutputBytes ?? this.config.maxOutputBytes);
      k = Promise.resolve(cap(task));
      this.keepers.set(taskId, k);
    }
    return k;
  }
}

const notGiven = (taskId: number, workerId: number) => new DomainError('TaskNotRunning', `task ${taskId} was not sent to worker ${workerId}`);
