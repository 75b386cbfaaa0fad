import { z } from 'zod';

/** A list answer: `{ items }`, every one at once. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A page answer: `{ items, nextCursor }`. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A page answer whose `nextCursor` says how to use it. */
export const cursorPageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last' }) });

/** The 404 of the routes that name a cron job by `:id`. */
export const NO_JOB = 'no cron job with this id (CronJobNotFound)';
/** The 404 of the routes that name a task by `:id`. */
export const NO_TASK = 'no task with this id (TaskNotFound)';
