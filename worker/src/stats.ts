import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { WorkerStats } from '@cronfleet/shared';

type LastError = WorkerStats['lastError'];

/** Remembers the last error the worker hit (a refused task, a spawn failure, a result not recorded). */
export class LastErrorTracker {
  private last: LastError = null;

  note(code: string, message: string, atMs = Date.now()): void {
    // Clipped to the wire's limits: a stats report must never be invalid because of a long message.
    this.last = { atMs, code: code.slice(0, 128), message: message.length > 2000 ? `${message.slice(0, 1999)}…` : message };
  }

  get value(): LastError {
    return this.last;
  }
}

/**
 * The heartbeat's figures. `taskPids`: the main process of each running task (taskId → pid), whose
 * resident memory is reported per task and added to the worker's own (Linux /proc only; a task
 * whose figure cannot be read counts 0).
 */
export function collectStats(taskPids: ReadonlyMap<number, number>, lastError: LastError): WorkerStats {
  const cpuCount = cpus().length || 1;
  let rssBytes = process.memoryUsage.rss();
  const tasks: { taskId: number; rssBytes: number }[] = [];
  for (const [taskId, pid] of taskPids) {
    const rss = processRssBytes(pid);
    rssBytes += rss;
    if (tasks.length < 10_000) tasks.push({ taskId, rssBytes: rss });
  }
  return {
    loadPerCpu: Math.max(0, loadavg()[0] / cpuCount),
    rssBytes,
    hostFreeMemoryBytes: freemem(),
    hostTotalMemoryBytes: totalmem(),
    lastError,
    tasks,
  };
}

/** Resident memory of process `pid` in bytes from /proc/<pid>/status (`VmRSS: 1234 kB`); 0 when unknown. */
export function processRssBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0; // not Linux, or the process is gone
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}
