import type { DataSource, ValueTransformer } from 'typeorm';
import { isLockConflict } from '../common/lock-conflict';
import { NAMESPACE_GONE, NAMESPACE_IN_USE } from './migrations/1765500000000-columns-fit-limits';

/** MySQL returns BIGINT as a string; ids stay well below 2^53, so they travel as numbers. */
export const bigintAsNumber: ValueTransformer = {
  to: (v: unknown) => v,
  from: (v: unknown) => (v === null || v === undefined ? v : Number(v)),
};

/**
 * A Date as a raw-query parameter for a DATETIME(3) column: mysql2 formats Dates itself (the pool
 * runs in UTC), better-sqlite3 cannot bind Dates, so it gets TypeORM's UTC text form.
 */
export function dbTime(ds: DataSource, d: Date): Date | string {
  if (ds.options.type === 'mysql') return d;
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** True when a cron job, workflow (migration 1765500000000) or task (MySQL, migration 1765900000000) write named a namespace that does not exist. */
export function isNamespaceGone(e: unknown): boolean {
  return driverErrorIs(e, 1452, NAMESPACE_GONE);
}

/** True when deleting a namespace failed because cron jobs or workflows were written into it meanwhile. */
export function isNamespaceInUse(e: unknown): boolean {
  return driverErrorIs(e, 1451, NAMESPACE_IN_USE);
}

/** The driver's error under TypeORM's QueryFailedError (or the error itself): its `code`, `errno` and message. */
function driverError(e: unknown): { code?: string; errno?: number; message?: string } {
  const err = e as { code?: string; errno?: number; message?: string; driverError?: { code?: string; errno?: number; message?: string } } | null | undefined;
  return err?.driverError ?? err ?? {};
}

/** MySQL's foreign key error `errno` on an `fk_*_namespace` key, or SQLite's trigger abort with `message`. */
function driverErrorIs(e: unknown, errno: number, message: string): boolean {
  const d = driverError(e);
  const text = d.message ?? '';
  return (d.errno === errno && /fk_\w+_namespace/.test(text)) || text.includes(message);
}

/** True when a write failed on a unique key (MySQL/MariaDB or SQLite). */
export function isUniqueViolation(e: unknown): boolean {
  const d = driverError(e);
  return d.code === 'ER_DUP_ENTRY' || d.errno === 1062 || d.code === 'SQLITE_CONSTRAINT_UNIQUE' || d.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when MySQL refused a statement larger than its max_allowed_packet (it ran none of it). */
export function isPacketTooLarge(e: unknown): boolean {
  const d = driverError(e);
  return d.code === 'ER_NET_PACKET_TOO_LARGE' || d.errno === 1153;
}

/** Epoch ms of a DATETIME read as a raw value: a Date from mysql2, UTC text from SQLite. */
export function rawTimeMs(v: Date | string): number {
  return v instanceof Date ? v.getTime() : Date.parse(`${v.replace(' ', 'T')}Z`);
}

/**
 * Runs `write` again (up to `attempts` times, after 20, 40, 80 ms and a little jitter) when it lost
 * a lock race: InnoDB picks a victim when the dispatcher's batched next_run_at update and a REST
 * change of the same job cross, and the victim is to retry, not to answer 500.
 */
export async function retryOnLockConflict<T>(write: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (e) {
      if (i >= attempts || !isLockConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i + Math.random() * 10));
    }
  }
}
