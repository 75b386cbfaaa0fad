import { readFileSync } from 'node:fs';

/** The account command and script tasks run as (`--run-as`), resolved once at start. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Resolves `user` (a name, or `uid` / `uid:gid`) from the passwd database. Refused unless the worker
 * runs as root, since only root may start processes as another user: better to stop at start than
 * to fail every task.
 */
export function resolveRunAs(user: string, passwd = readPasswd(), uid = process.getuid?.() ?? -1): RunAs {
  if (uid !== 0) throw new Error(`--run-as ${user}: the worker must run as root to start tasks as another user (it runs as uid ${uid})`);
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  const entries = passwd
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7)
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }));
  if (numeric) {
    const u = Number(numeric[1]);
    const known = entries.find((e) => e.uid === u);
    return { name: known?.name ?? String(u), uid: u, gid: numeric[2] !== undefined ? Number(numeric[2]) : (known?.gid ?? u), home: known?.home ?? '/' };
  }
  const found = entries.find((e) => e.name === user);
  if (!found) throw new Error(`--run-as ${user}: no such user in /etc/passwd (give a user name, or uid[:gid])`);
  if (found.uid === 0) throw new Error(`--run-as ${user}: is root; leave --run-as out to run tasks as the worker's own user`);
  return found;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/** The login variables a task started as `runAs` sees instead of the worker's. */
export function runAsEnv(runAs: RunAs): Record<string, string> {
  return { HOME: runAs.home, USER: runAs.name, LOGNAME: runAs.name };
}
