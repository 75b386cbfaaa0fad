// Bad input, end to end (issue 7): every REST operation of the running server's OpenAPI document
// and every socket event a client sends get seeded bad requests (malformed JSON, wrong types,
// unknown fields, path traversal, invalid schedules and time zones, out-of-range numbers, 10 MB
// bodies, wrong content types, oversized socket messages). Each answer must be a 4xx JSON error
// naming the problem (sockets: an error ack, or the connection closed), the server must stay up,
// and jobs, tasks, workers and the scheduler must be as they were.
// CRONFLEET_FUZZ_SEED and CRONFLEET_FUZZ_CASES (per REST operation and per socket event) replay or widen a run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { Rng } from './fuzz-inputs';
import { judge, operationsOf, RAW_PATHS, restCase, send, type KnownIds, type RestCase } from './fuzz-rest';
import { connect, connectWorker, emitCase, subscribeCase, WORKER_EVENTS, workerEventCase, type SocketCase } from './fuzz-sockets';
import { assertNoLeakedProcesses, randomId, startServer, type TestServer } from './helpers';

const SEED = Number(process.env.CRONFLEET_FUZZ_SEED ?? 20_260_707);
const CASES = Number(process.env.CRONFLEET_FUZZ_CASES ?? 25);
const SOCKET_ANSWER_MS = 5000;
/** For the answers the test cannot go on without: generous, for a machine busy with other tests. */
const SLOW_ANSWER_MS = 20_000;
/** An event without an ack has no answer to wait for: only a disconnect, which comes at once. */
const UNACKED_WAIT_MS = 300;
const OVERSIZED_WAIT_MS = 3000;
const EVENTS_NAMESPACE = '/events';

/** The stored state a bad request must leave alone, without what changes by itself (heartbeats, load). */
async function snapshot(server: TestServer, taskId: number): Promise<unknown> {
  const api = server.api;
  const workers = (await api.listWorkers()).items.map((w) => ({ id: w.id, name: w.name, hostname: w.hostname, capacity: w.capacity, labels: w.labels, drained: w.drained }));
  const tasks = await api.call<{ items: unknown[] }>('GET', '/tasks?limit=100', [200]);
  const scheduler = await api.call<{ paused: boolean }>('GET', '/scheduler', [200]);
  return { jobs: (await api.listCronJobs()).items, tasks: tasks.items, workers, paused: scheduler.paused, output: await api.taskOutput(taskId) };
}

describe(`fuzz: bad input (seed ${SEED}, ${CASES} cases per operation and event)`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let known: KnownIds;
  let before0: unknown;
  let taskId: number;
  const workerName = `fuzz-worker-${randomId()}`;
  const sessionId = randomId(8);
  let worker: Socket | null = null;

  const alive = async (c: string): Promise<void> => {
    const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    if (res instanceof Error || server.process.exited) assert.fail(`the server died after ${c} (seed ${SEED})\n${server.process.report()}`);
  };

  before(async () => {
    server = await startServer({ backend: 'mysql' });
    const job = await server.api.createCronJob({ name: `fuzz-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' } });
    taskId = (await server.api.runCronJob(job.id)).taskId;
    await server.api.send('DELETE', `/tasks/${taskId}`, [200, 204]); // cancelled: final, nothing changes it later
    worker = await connectWorker(server.url, server.workerToken, workerName, sessionId);
    const workerId = (await server.api.listWorkers()).items.find((w) => w.name === workerName)!.id as number;
    known = { cronjobs: job.id, tasks: taskId, workers: workerId };
    before0 = await snapshot(server, taskId);
  });
  after(async () => {
    worker?.close();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('answers every bad REST request with a 4xx JSON error naming the problem', async () => {
    const doc = (await (await fetch(`${server.url}/api/docs/openapi.json`)).json()) as Parameters<typeof operationsOf>[0];
    const ops = operationsOf(doc);
    assert.ok(ops.length >= 20, `only ${ops.length} operations in the OpenAPI document`);
    const rng = new Rng(SEED);
    const failures: string[] = [];
    // Made one at a time as they are sent: a run of many cases holds one 10 MB body at most.
    function* cases(): Generator<RestCase> {
      for (const path of RAW_PATHS) yield { method: 'GET', path, headers: {}, what: `raw path ${path.slice(0, 80)}` };
      for (const op of ops) for (let i = 0; i < CASES; i++) yield restCase(op, known, rng);
    }
    const started = Date.now();
    let i = 0;
    for (const c of cases()) {
      i++;
      const answer = await send(server.url, server.adminToken, c).catch((e: Error) => e);
      const problem = answer instanceof Error ? `no answer: ${answer.message}` : judge(c, answer);
      if (problem) {
        const shown = typeof c.body === 'string' ? c.body.slice(0, 300) : c.body ? `<${c.body.length} bytes>` : '';
        failures.push(`#${i} ${c.method} ${c.path.slice(0, 200)} (${c.what}): ${problem}\n  headers ${JSON.stringify(c.headers)} body ${shown}\n  answer ${answer instanceof Error ? '' : `${answer.status} ${answer.text.slice(0, 500)}`}`);
        await alive(`case #${i}`);
      }
    }
    await alive('the REST cases');
    console.log(`# fuzz REST: ${i} requests over ${ops.length} operations in ${Date.now() - started} ms (seed ${SEED})`);
    assert.deepEqual(failures, [], `seed ${SEED}: ${failures.length} of ${i} bad requests were not refused properly:\n${failures.slice(0, 30).join('\n')}`);
  });

  it('refuses bad worker socket messages with an error ack or by closing the connection, storing nothing', async () => {
    const rng = new Rng(SEED + 1);
    const failures: string[] = [];
    let sent = 0;
    for (const { event, acked } of WORKER_EVENTS) {
      for (let i = 0; i < CASES; i++) {
        const c = workerEventCase(event, rng);
        // A hello comes first on a fresh connection; the rest from the worker that said hello.
        const socket = await bounded(
          `connecting for ${event} #${i}`,
          event === 'worker:hello' ? connect(server.url, '/workers', server.workerToken) : worker ? Promise.resolve(worker) : connectWorker(server.url, server.workerToken, workerName, sessionId),
        );
        if (event !== 'worker:hello') worker = socket;
        if (process.env.CRONFLEET_FUZZ_TRACE) console.log(`# ${new Date().toISOString().slice(11, 23)} ${event} #${i}: ${c.what}`);
        const outcome = await emitCase(socket, c, acked, c.oversized ? OVERSIZED_WAIT_MS : acked ? SOCKET_ANSWER_MS : UNACKED_WAIT_MS);
        sent++;
        const problem = judgeSocket(c, acked, outcome);
        if (problem) failures.push(`${event} #${i} (${c.what}): ${problem}`);
        if (event === 'worker:hello' || outcome.kind === 'disconnected') {
          socket.close();
          if (socket === worker) worker = null;
        }
        if (problem) await alive(`${event} #${i}`);
      }
      // Still served after the heartbeats, which have no ack: an output for no task is answered.
      worker ??= await connectWorker(server.url, server.workerToken, workerName, sessionId);
      const probe = await worker.timeout(SLOW_ANSWER_MS).emitWithAck('task:outputs', { outputs: [{ taskId: 2_000_000_000, seq: 0, data: 'probe' }] }).catch((e: Error) => e);
      if (probe instanceof Error) failures.push(`after the ${event} cases the worker socket is not answered: ${probe.message}`);
    }
    // Well-formed reports about a task this worker never ran must not touch it.
    worker ??= await connectWorker(server.url, server.workerToken, workerName, sessionId);
    for (const [event, payload] of [
      ['task:updates', { updates: [{ taskId, status: 'success', atMs: Date.now(), exitCode: 0 }] }],
      ['task:outputs', { outputs: [{ taskId, seq: 0, data: 'injected by another worker' }] }],
    ] as const) {
      const ack = await worker.timeout(SLOW_ANSWER_MS).emitWithAck(event, payload).catch((e: Error) => e);
      if (ack instanceof Error) failures.push(`a well-formed ${event} about another worker's task got no answer: ${ack.message}`);
    }
    await alive('the worker socket cases');
    console.log(`# fuzz worker socket: ${sent} messages (seed ${SEED + 1})`);
    assert.deepEqual(failures, [], `seed ${SEED + 1}:\n${failures.slice(0, 30).join('\n')}`);
  });

  it('refuses bad /events subscriptions with an error ack or by closing the connection', async () => {
    const rng = new Rng(SEED + 2);
    const failures: string[] = [];
    let socket: Socket | null = null;
    for (let i = 0; i < CASES; i++) {
      const c = subscribeCase(rng);
      socket ??= await connect(server.url, EVENTS_NAMESPACE, server.adminToken);
      const outcome = await emitCase(socket, c, true, SOCKET_ANSWER_MS);
      const problem = judgeSocket(c, true, outcome);
      if (problem) failures.push(`subscribe #${i} (${c.what}): ${problem}`);
      if (outcome.kind === 'disconnected') {
        socket.close();
        socket = null;
      }
    }
    socket?.close();
    await alive('the /events cases');
    assert.deepEqual(failures, [], `seed ${SEED + 2}:\n${failures.slice(0, 30).join('\n')}`);
  });

  it('leaves jobs, tasks, workers and the scheduler as they were', async () => {
    assert.deepEqual(await snapshot(server, taskId), before0);
  });
});

/** `p`, or a failure naming `what` after 20 s: a hang shows up as a failure with the server's log. */
function bounded<T>(what: string, p: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** What is wrong with the server's reaction to a bad socket message, or null. */
function judgeSocket(c: SocketCase, acked: boolean, o: Awaited<ReturnType<typeof emitCase>>): string | null {
  if (c.oversized) return o.kind === 'disconnected' ? null : `an oversized message was not refused by closing the connection (${JSON.stringify(o).slice(0, 200)})`;
  if (o.kind === 'disconnected') return null;
  if (!acked) return null;
  if (o.kind === 'silent') return 'no ack and no disconnect';
  const ack = o.ack as { ok?: boolean; recorded?: boolean[]; stored?: boolean[]; error?: { code?: string; message?: string } };
  if (ack.ok === true) return `accepted: ${JSON.stringify(ack)}`;
  // A batch: the malformed item (or the whole batch) is refused, and the error names it.
  const answers = ack.recorded ?? ack.stored;
  if (answers !== undefined) {
    if (!Array.isArray(answers)) return `a batch ack without an array of answers: ${JSON.stringify(ack)}`;
    if (typeof ack.error?.message !== 'string' || !ack.error.message) return `a refused batch without an error message: ${JSON.stringify(ack).slice(0, 200)}`;
    return null;
  }
  if ('ok' in ack && (typeof ack.error?.message !== 'string' || !ack.error.message)) return `an error ack without a message: ${JSON.stringify(ack)}`;
  return null;
}
