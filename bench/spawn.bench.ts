/**
 * `npm run bench:spawn` — what starting one process costs the worker, per spawner
 * (worker/src/runners/spawner.ts): `native` (posix_spawn through worker/native) against `node`
 * (node:child_process). Each starts `true` N times, C at a time, reading its output to the end as
 * the runners do, in alternating rounds. CPU per spawn from process.cpuUsage (the worker's side) and
 * /proc/self/stat cutime + cstime (the children, reaped), so it is CPU, not wall time.
 *
 * Usage: node build/bench/spawn.bench.js [--spawns N] [--concurrency C] [--rounds R]
 */
import { parseArgs } from 'node:util';
import { nativeSpawner, nodeSpawner, type Spawner } from '../worker/src/runners/spawner';
import { positiveInt } from './dispatch/harness';
import { processCpuSeconds } from './dispatch/procfs';

/** CPU the children this process has reaped used so far, in ms. */
function childrenCpuMs(): number {
  return (processCpuSeconds(process.pid)?.children ?? 0) * 1000;
}

async function once(spawner: Spawner, env: Record<string, string>): Promise<void> {
  const child = spawner.start({ file: 'true', args: [], env });
  for (const output of child.outputs) output.resume();
  await child.closed;
}

async function round(spawner: Spawner, spawns: number, concurrency: number, env: Record<string, string>) {
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < spawns) {
        started++;
        await once(spawner, env);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: spawns / seconds, parentMs: (cpu.user + cpu.system) / 1000 / spawns, childMs: (childrenCpuMs() - children0) / spawns };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { spawns: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' } } });
  const spawns = positiveInt('spawns', values.spawns);
  const concurrency = positiveInt('concurrency', values.concurrency);
  const rounds = positiveInt('rounds', values.rounds);
  // The environment a worker passes: its own, plus a task's few variables.
  const env: Record<string, string> = { ...(process.env as Record<string, string>), CRONFLEET_TASK_ID: '1', CRONFLEET_ATTEMPT: '1' };
  const spawners = [nativeSpawner(), nodeSpawner];
  const results = new Map<string, Array<Awaited<ReturnType<typeof round>>>>(spawners.map((s) => [s.name, []]));
  await round(spawners[0], 200, concurrency, env); // warm-up
  await round(spawners[1], 200, concurrency, env);
  for (let r = 0; r < rounds; r++) for (const s of spawners) results.get(s.name)!.push(await round(s, spawns, concurrency, env));
  console.log(`## Spawn (npm run bench:spawn)\n\n\`true\` ${spawns} times, ${concurrency} at a time, ${rounds} alternating rounds per spawner; median round.\n`);
  console.log('| spawner | spawns/s | CPU ms per spawn: worker / child / total |');
  console.log('|---|---|---|');
  for (const [name, rs] of results) {
    const median = [...rs].sort((a, b) => a.parentMs + a.childMs - (b.parentMs + b.childMs))[Math.floor(rs.length / 2)];
    console.log(`| ${name} | ${Math.round(median.perSecond).toLocaleString('en-US')} | ${median.parentMs.toFixed(3)} / ${median.childMs.toFixed(3)} / ${(median.parentMs + median.childMs).toFixed(3)} |`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
