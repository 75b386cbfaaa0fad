// The reference for enqueueing delayed tasks: BullMQ 6 `queue.add` / `addBulk` of delayed jobs, as
// an application would call it, in its own process (`node bullmq-client.js <redis url>`) so its CPU
// is measured like the Cronfleet server's. Reads one JSON command a line on stdin, answers one JSON
// line on stdout; exits when stdin closes.
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { percentile, sortedCopy } from '../dispatch/stats';
import type { LoadSample } from './http-load';

/** One window: `inFlight` loops, each calling again as soon as its call resolved, for `ms`. */
export interface BullmqCommand {
  op: 'add' | 'addBulk';
  /** Key prefix of the queue (BullMQ's `prefix`, without the trailing ':'). */
  prefix: string;
  inFlight: number;
  ms: number;
  /** Jobs per addBulk call. */
  batch: number;
}

/** The same job as the task bench:api creates: a command task an hour ahead. */
const DATA = { runner: 'command', spec: { command: 'true' } };
const DELAY_MS = 3_600_000;

const redisUrl = new URL(process.argv[2] ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };
let queue: Queue | null = null;

async function queueFor(prefix: string): Promise<Queue> {
  if (queue?.opts.prefix === prefix) return queue;
  await queue?.close();
  queue = new Queue('bench-delayed', { connection, prefix });
  await queue.waitUntilReady();
  return queue;
}

async function run(c: BullmqCommand): Promise<LoadSample> {
  const q = await queueFor(c.prefix);
  const bulk = Array.from({ length: c.batch }, () => ({ name: 'task', data: DATA, opts: { delay: DELAY_MS } }));
  const latencies: number[] = [];
  let items = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const end = started + c.ms;
  await Promise.all(
    Array.from({ length: c.inFlight }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          if (c.op === 'add') {
            await q.add('task', DATA, { delay: DELAY_MS });
            items++;
          } else {
            // Not `items += (await …).length`: that reads `items` before the await and loses the other loops' counts.
            const jobs = await q.addBulk(bulk);
            items += jobs.length;
          }
          latencies.push(performance.now() - t0);
        } catch (e) {
          errors++;
          firstError ??= e instanceof Error ? e.message : String(e);
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const sorted = sortedCopy(latencies);
  return { ok: latencies.length, items, errors, firstError, wallMs, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as BullmqCommand))}\n`);
  }
  await queue?.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bullmq-client: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
