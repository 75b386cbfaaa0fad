// Reads the Linux process table from /proc, to see what a task left behind after a kill or a stop.
// Processes come and go while we read, so every read tolerates a process that has just vanished.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One letter from /proc/<pid>/stat: R, S, D, Z (zombie), T, ... */
  state: string;
  argv: string[];
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself hold spaces and ')': split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = cmdline.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), argv };
  } catch {
    return undefined;
  }
}

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

export function processInfo(pid: number): ProcInfo | undefined {
  return readProc(pid);
}

/**
 * Live processes in group `pgid`. Zombies are left out: they are dead and only wait for a parent
 * to reap them, which in a container without an init may be never.
 */
export function liveProcessesInGroup(pgid: number): ProcInfo[] {
  return listProcesses().filter((p) => p.pgid === pgid && p.state !== 'Z');
}

/** Live processes with `marker` as one of their arguments (exactly, not as a substring). */
export function liveProcessesWithArg(marker: string): ProcInfo[] {
  return listProcesses().filter((p) => p.state !== 'Z' && p.argv.includes(marker));
}

/** Live processes whose command line contains `text` anywhere, for the end-of-run leak guard. */
export function liveProcessesMentioning(text: string): ProcInfo[] {
  return listProcesses().filter((p) => p.pid !== process.pid && p.state !== 'Z' && p.argv.join(' ').includes(text));
}

export function describeProcesses(ps: readonly ProcInfo[]): string {
  return ps.map((p) => `pid ${p.pid} ppid ${p.ppid} pgid ${p.pgid} ${p.state} ${JSON.stringify(p.argv)}`).join('\n');
}
