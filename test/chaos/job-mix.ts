// The cron jobs of a chaos run, drawn from a seed: schedules every 1-5 s (cron with seconds), mostly
// short commands, some long ones and some that exit non-zero, and a mix of misfire, concurrency and
// retry policies, so each way a due time can legitimately end (ran, skipped, caught up, retried) occurs.
import type { CreateCronJobWithPolicies, Policies } from '../e2e/api-client';

export type MisfirePolicyName = Policies['misfirePolicy'];

export interface ChaosJob {
  input: CreateCronJobWithPolicies;
  intervalSeconds: number;
  sleepSeconds: number;
  exitCode: number;
}

/**
 * `ledger`: every task appends its id to this file before it sleeps, so the run can count how often
 * each task really executed, whatever the workers and the database say.
 */
export function buildJobs(count: number, rand: () => number, ledger: string, namePrefix: string): ChaosJob[] {
  const pick = <T>(weighted: readonly [T, number][]): T => {
    let r = rand() * weighted.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of weighted) if ((r -= w) < 0) return v;
    return weighted[weighted.length - 1][0];
  };
  const jobs: ChaosJob[] = [];
  for (let i = 0; i < count; i++) {
    const intervalSeconds = 1 + Math.floor(rand() * 5);
    const sleepSeconds = pick<number>([[0.2, 85], [1.5, 10], [4, 5]]);
    const exitCode = rand() < 0.1 ? 3 : 0;
    // catchUp with a high limit runs every missed due time, so those jobs admit no gap at all.
    const misfirePolicy = pick<MisfirePolicyName>([['catchUp', 50], ['runOnce', 35], ['skip', 15]]);
    const concurrencyPolicy = sleepSeconds >= intervalSeconds || rand() < 0.05 ? pick<'allow' | 'forbid'>([['forbid', 1], ['allow', 1]]) : 'allow';
    const retry = rand() < 0.25 ? { maxRetries: 2, backoff: 'fixed' as const, delaySeconds: 1, jitter: false } : null;
    const script = `echo "$CRONFLEET_TASK_ID" >> '${ledger}'; sleep ${sleepSeconds}; exit ${exitCode}`;
    jobs.push({
      intervalSeconds,
      sleepSeconds,
      exitCode,
      input: {
        name: `${namePrefix}-${String(i).padStart(3, '0')}`,
        schedule: `*/${intervalSeconds} * * * * *`,
        runner: 'command',
        spec: { command: 'sh', args: ['-c', script] },
        misfirePolicy,
        catchUpLimit: 1000,
        concurrencyPolicy,
        retry,
      },
    });
  }
  return jobs;
}
