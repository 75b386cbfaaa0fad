import { readdirSync, readFileSync } from 'node:fs';
import type { RunnerName, TaskRun } from '@cronfleet/shared';
import type { RunnerIO, TaskRunFor } from '../runners/runner';

/** A task:run message for runner `N` with `spec`: task 42 of `nightly-backup`, attempt 2, no timeout, no env. */
export function taskRun<N extends RunnerName>(
  runner: N,
  spec: TaskRunFor<N>['spec'],
  extra: Partial<Pick<TaskRun, 'env' | 'secretEnv' | 'timeoutSeconds' | 'shard'>> = {},
): TaskRunFor<N> {
  return {
    taskId: 42,
    cronjobId: 7,
    cronjobName: 'nightly-backup',
    attempt: 2,
    scheduledAtMs: Date.UTC(2030, 0, 2, 3, 4, 5),
    timeoutSeconds: null,
    env: {},
    secretEnv: {},
    shard: null,
    ...extra,
    runner,
    spec,
  } as TaskRunFor<N>;
}

/** A RunnerIO that keeps what the task printed and can wait for a pattern in it. */
export function capture(): RunnerIO & { text(): string; waitFor(re: RegExp): Promise<RegExpMatchArray> } {
  let text = '';
  const waiters: Array<() => void> = [];
  return {
    output: (t) => {
      text += t;
      for (const w of waiters.splice(0)) w();
    },
    text: () => text,
    async waitFor(re) {
      for (;;) {
        const m = text.match(re);
        if (m) return m;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

/** Live (not zombie) processes whose process group is `pgid`, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after "(comm)": state ppid pgrp …; comm may itself contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Zombies are dead: their parent (possibly an init here that never reaps) just has not waited yet.
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(name));
  }
  return members;
}

/** The members of group `pgid` still alive after waiting up to `withinMs` for them to go. */
export async function groupGone(pgid: number, withinMs = 2000): Promise<number[]> {
  const until = Date.now() + withinMs;
  let left = groupMembers(pgid);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = groupMembers(pgid);
  }
  return left;
}
