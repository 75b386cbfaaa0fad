import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Makes `dir` (and any missing parent) and leaves it readable by the server's user only (0700): the
 * data dir holds tokens.json and, with SQLite, the database with every task's output. A data dir
 * made by an older version (0755) is narrowed too, when this user owns it.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
}

/**
 * Creates `file` empty when missing, and makes it and its `suffixes` siblings that exist (SQLite's
 * `-wal` and `-shm`) readable by the server's user only (0600). SQLite creates its -wal and -shm
 * files with the mode of the database file, so they follow once it is 0600.
 */
export function ensurePrivateFile(file: string, suffixes: readonly string[] = []): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, ...suffixes.map((s) => file + s)]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}
