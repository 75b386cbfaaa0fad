// Readers of /proc (Linux only): memory and CPU time of a process, the machine's description.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLK_TCK = 100;

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, ...) in bytes; null once the process is gone. */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time of a process so far, in seconds: its own (user + system) and that of its children it has
 * reaped (cutime + cstime); null once it is gone.
 */
export function processCpuSeconds(pid: number): { own: number; children: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { own: (Number(fields[11]) + Number(fields[12])) / CLK_TCK, children: (Number(fields[13]) + Number(fields[14])) / CLK_TCK };
  } catch {
    return null;
  }
}

/** User + system CPU time of a process so far, in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  return processCpuSeconds(pid)?.own ?? null;
}

/** CPU time all processes of the machine have used so far (user, nice, system, irq, softirq, steal), in seconds. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / CLK_TCK;
}

/** Pid of the local MariaDB/MySQL server, to report its CPU time next to the API server's; null if not found. */
export function findDatabasePid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  loadAverage: string;
}

export function machineInfo(): MachineInfo {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model.trim(),
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(', '),
  };
}

/**
 * Other processes using CPU right now: samples every process's CPU time over `ms` and lists those
 * above 5% of one core, so a report can say the machine was not quiet.
 */
export async function busyProcesses(ms: number, exclude: readonly number[] = []): Promise<string[]> {
  const before = new Map<number, number>();
  for (const pid of pids()) {
    const c = cpuSeconds(pid);
    if (c !== null) before.set(pid, c);
  }
  await new Promise((r) => setTimeout(r, ms));
  const busy: string[] = [];
  for (const [pid, c0] of before) {
    if (exclude.includes(pid) || pid === process.pid) continue;
    const c1 = cpuSeconds(pid);
    if (c1 === null) continue;
    const share = (c1 - c0) / (ms / 1000);
    if (share >= 0.05) busy.push(`${commandOf(pid)} (pid ${pid}) ${(share * 100).toFixed(0)}%`);
  }
  return busy;
}

function pids(): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

function commandOf(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return (cmd || readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).slice(0, 80);
  } catch {
    return '?';
  }
}
