// The fault driver: one fault at a time, in shuffled rounds of every kind, each followed by the
// fleet's recovery (a leader, every worker online) and a short pause, until the chaos period ends.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosFleet } from './fleet';
import type { PrivateMariaDb, PrivateRedis } from './private-backends';

export const FAULT_KINDS = ['leader-kill', 'worker-kill', 'redis-restart', 'mariadb-restart', 'worker-freeze', 'link-cut'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  atMs: number;
  /** When the fleet had a leader and every worker online again (null: not within the bound). */
  recoveredMs: number | null;
  detail: string;
}

export interface DriverOptions {
  fleet: ChaosFleet;
  redis: PrivateRedis | null;
  mariadb: PrivateMariaDb | null;
  heartbeatSeconds: number;
  rand: () => number;
  log: (line: string) => void;
  /** Inject only these kinds (default: every kind that can be injected here). */
  only?: readonly FaultKind[];
}

/** How long the fleet gets to recover from one fault before the driver goes on regardless. */
const RECOVERY_BOUND_MS = 30_000;

export class FaultDriver {
  readonly faults: FaultRecord[] = [];
  /** Fault kinds that cannot be injected here, with the reason. */
  readonly unavailable = new Map<FaultKind, string>();
  /** Time from a leader's SIGKILL to another server leading, per leader kill. */
  readonly takeoversMs: number[] = [];
  /** Servers or workers that exited without being killed by the driver, faults that could not complete (no leader): each a violation. */
  readonly problems: string[] = [];

  constructor(private readonly o: DriverOptions) {
    if (!o.redis) this.unavailable.set('redis-restart', 'redis-server is not installed: the run uses the shared Redis, which must not be restarted');
    if (!o.mariadb) this.unavailable.set('mariadb-restart', 'mariadbd/mariadb-install-db are not installed: the run uses the shared MariaDB, which must not be restarted');
  }

  /**
   * Injects faults until `untilMs`, and at least one of each kind (the first round always runs to
   * its end, so a short run covers every kind); a fault started before the end runs to its end.
   */
  async run(untilMs: number): Promise<void> {
    const kinds = FAULT_KINDS.filter((k) => !this.unavailable.has(k) && (!this.o.only || this.o.only.includes(k)));
    for (let round = 0; round === 0 || Date.now() < untilMs; round++) {
      for (const kind of this.shuffle([...kinds])) {
        if (round > 0 && Date.now() >= untilMs) return;
        const atMs = Date.now();
        let detail: string;
        try {
          detail = await this.inject(kind);
        } catch (e) {
          detail = `injection failed: ${(e as Error).message.split('\n')[0]}`;
          this.problems.push(`${kind}: ${detail}`);
        }
        for (const crash of await this.o.fleet.reviveCrashed()) {
          this.problems.push(`crash: ${crash}`);
          this.o.log(`CRASH after ${kind}: ${crash}`);
        }
        const recoveredMs = await this.recovered();
        const record: FaultRecord = { kind, atMs, recoveredMs, detail };
        this.faults.push(record);
        this.o.log(`fault ${this.faults.length}: ${kind}: ${detail}; ${recoveredMs === null ? `NOT recovered within ${RECOVERY_BOUND_MS / 1000} s` : `recovered after ${((recoveredMs - atMs) / 1000).toFixed(1)} s`}`);
        await sleep(this.between(1500, 3500));
      }
    }
  }

  private async inject(kind: FaultKind): Promise<string> {
    const { fleet } = this.o;
    switch (kind) {
      case 'leader-kill': {
        const leader = await fleet.waitForLeader(15_000);
        const killedAt = Date.now();
        fleet.killServer(leader);
        const next = await fleet.waitForLeader(30_000);
        const takeover = Date.now() - killedAt;
        this.takeoversMs.push(takeover);
        await sleep(this.between(500, 2000));
        await fleet.restartServer(leader);
        return `SIGKILLed server ${leader} (the leader); server ${next} led after ${takeover} ms; server ${leader} restarted`;
      }
      case 'worker-kill': {
        const busy = (await fleet.listWorkers()).filter((w) => w.status === 'online' && w.running > 0).map((w) => w.name);
        const candidates = fleet.workers.map((w, i) => (busy.includes(w.name) ? i : -1)).filter((i) => i >= 0);
        const i = candidates.length ? candidates[Math.floor(this.o.rand() * candidates.length)] : Math.floor(this.o.rand() * fleet.workers.length);
        const running = (await fleet.listWorkers()).find((w) => w.name === fleet.workers[i].name)?.running ?? 0;
        await fleet.killWorker(i);
        await sleep(this.between(500, 2000));
        fleet.startWorker(i);
        return `SIGKILLed worker ${i} with ${running} task(s) running, restarted it`;
      }
      case 'redis-restart': {
        const downMs = this.between(1000, 2500);
        await this.o.redis!.crashAndRestart(downMs);
        return `SIGKILLed the private Redis, restarted it ${downMs} ms later (every key gone)`;
      }
      case 'mariadb-restart': {
        const downMs = this.between(1500, 3000);
        await this.o.mariadb!.crashAndRestart(downMs);
        return `SIGKILLed the private MariaDB, restarted it ${downMs} ms later`;
      }
      case 'worker-freeze': {
        const i = Math.floor(this.o.rand() * fleet.workers.length);
        // Past three heartbeats: the server declares it offline and its tasks lost meanwhile.
        const frozenMs = this.o.heartbeatSeconds * 3000 + this.between(1000, 2500);
        fleet.signalWorker(i, 'SIGSTOP');
        await sleep(frozenMs);
        fleet.signalWorker(i, 'SIGCONT');
        return `SIGSTOPped worker ${i} for ${frozenMs} ms (past the heartbeat timeout), then SIGCONT`;
      }
      case 'link-cut': {
        // Sometimes shorter than the heartbeat timeout (a reconnect), sometimes longer (offline, lost).
        const cutMs = this.between(1000, this.o.heartbeatSeconds * 3000 + 2500);
        fleet.proxy.cutLink();
        await sleep(cutMs);
        fleet.proxy.restore();
        return `cut the connection of worker ${fleet.workers.length - 1} (through the proxy) for ${cutMs} ms`;
      }
    }
  }

  private async recovered(): Promise<number | null> {
    try {
      await this.o.fleet.waitForLeader(RECOVERY_BOUND_MS);
      await this.o.fleet.waitForWorkersOnline(RECOVERY_BOUND_MS);
      return Date.now();
    } catch (e) {
      const workers = await this.o.fleet.listWorkers().catch(() => []);
      this.o.log(`not recovered: ${(e as Error).message.split('\n')[0]}; leader slot ${await this.o.fleet.leaderSlot()}; workers: ` +
        workers.map((w) => `${w.name} ${w.status} (last heartbeat ${w.lastHeartbeatAt})`).join(', '));
      return null;
    }
  }

  private between(minMs: number, maxMs: number): number {
    return Math.round(minMs + this.o.rand() * (maxMs - minMs));
  }

  private shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.o.rand() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }
}
