// Here, below the database folder, because the HTTP exception filter answers a lost lock race as 503
// (busy, try again) and common/ imports nothing of the server's other folders.

/** True when a write lost a lock race (MySQL/MariaDB deadlock or lock wait timeout, SQLite busy): trying again may succeed. */
export function isLockConflict(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const d = err?.driverError ?? err;
  return d?.code === 'ER_LOCK_DEADLOCK' || d?.errno === 1213 || d?.code === 'ER_LOCK_WAIT_TIMEOUT' || d?.errno === 1205 || d?.code === 'SQLITE_BUSY';
}
