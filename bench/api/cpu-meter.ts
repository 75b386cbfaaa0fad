// CPU time over one measurement window, from /proc: the process doing the work (the server under
// test or a reference), MariaDB, Redis, this bench process (the load generator), and the rest of the machine.
import { cpuSeconds, machineBusySeconds } from '../dispatch/procfs';

export interface CpuPids {
  /** The Cronfleet server, the bare node:http server or the BullMQ client. */
  app: number;
  db: number | null;
  redis: number | null;
}

/** CPU seconds used during the window (null: the process could not be read). */
export interface CpuWindow {
  app: number | null;
  db: number | null;
  redis: number | null;
  bench: number;
  /** The whole machine minus the four above: anything else running (workers in the busy phase, other users). */
  other: number;
}

/** Starts counting; the returned function ends the window. */
export function startCpu(pids: CpuPids): () => CpuWindow {
  const read = (pid: number | null): number | null => (pid === null ? null : cpuSeconds(pid));
  const a0 = read(pids.app);
  const d0 = read(pids.db);
  const r0 = read(pids.redis);
  const m0 = machineBusySeconds();
  const b0 = process.cpuUsage();
  return () => {
    const diff = (x0: number | null, x1: number | null): number | null => (x0 === null || x1 === null ? null : x1 - x0);
    const b = process.cpuUsage(b0);
    const w = {
      app: diff(a0, read(pids.app)),
      db: diff(d0, read(pids.db)),
      redis: diff(r0, read(pids.redis)),
      bench: (b.user + b.system) / 1e6,
    };
    return { ...w, other: Math.max(0, machineBusySeconds() - m0 - (w.app ?? 0) - (w.db ?? 0) - (w.redis ?? 0) - w.bench) };
  };
}
