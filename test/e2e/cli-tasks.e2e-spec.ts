// `cronfleet tasks create` and `tasks cancel` end to end: the real binary against a real server on the
// embedded backend with a real worker. One task now (run on the worker), later (--delay, --at),
// idempotency keys, batch files (per-line outcomes, --atomic), cancel, and flags refused before
// anything is sent (exit 2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  RUN_ID,
  assertNoLeakedProcesses,
  randomId,
  runCli,
  startServer,
  startWorker,
  waitForTaskEnd,
  waitForWorkerOnline,
  type CliRun,
  type TestProcess,
  type TestServer,
} from './helpers';

/** What GET /tasks/:id shows of a one-shot task, beyond the typed client's Task. */
interface OneShotView {
  id: number;
  status: string;
  trigger: string;
  runner: string;
  runAt: string | null;
  idempotencyKey: string | null;
  namespace: string;
  httpStatus: number | null;
}

type BatchReport = {
  items: ({ line?: number; index?: number } & ({ taskId: number; created: boolean } | { error: { code: string; message: string; field: string | null } }))[];
  created: number;
  existed: number;
  refused: number;
};

describe('CLI: tasks create and tasks cancel', { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const tag = randomId();
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  /** Runs the CLI and fails with everything it printed unless it exits with `code`. */
  const expectExit = async (code: number, args: string[]): Promise<CliRun> => {
    const r = await runCli(server, args);
    assert.equal(r.code, code, `cronfleet ${args.join(' ')} exited ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  const view = (id: number) => server.api.call<OneShotView>('GET', `/tasks/${id}`, [200]);
  const taskCount = async () => (await server.api.listTasks({ limit: 500 })).items.length;
  const file = (name: string, text: string): string => {
    const path = join(server.dataDir, `${name}-${tag}`);
    writeFileSync(path, text);
    return path;
  };
  const echo = (text: string, extra: Record<string, unknown> = {}) => ({ runner: 'command', spec: { command: 'echo', args: [text] }, ...extra });

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `cli-tasks-${tag}`);
    await waitForWorkerOnline(server.api, { name: `cli-tasks-${tag}`, details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('creates a task that runs now on a worker: the command after --, its options its own', async () => {
    const r = await expectExit(0, ['tasks', 'create', '--', 'sh', '-c', `echo "now $0"`, RUN_ID]);
    const id = Number(/^task (\d+) queued to run now \(cronfleet tasks logs \d+ -f\)\n$/.exec(r.stdout)?.[1]);
    assert.ok(id > 0, r.stdout);
    const t = await waitForTaskEnd(server.api, id, { timeoutMs: 30_000, details: logs });
    assert.equal(t.status, 'success');
    assert.equal(await server.api.taskOutput(id), `now ${RUN_ID}\n`);
    const v = await view(id);
    assert.deepEqual([v.trigger, v.runner, v.namespace], ['api', 'command', 'default']);
  });

  it("prints a task's kept output with tasks logs, and nothing for a task that printed nothing", async () => {
    const said = Number(/^task (\d+) /.exec((await expectExit(0, ['tasks', 'create', '--', 'echo', `logs ${RUN_ID}`])).stdout)?.[1]);
    const quiet = Number(/^task (\d+) /.exec((await expectExit(0, ['tasks', 'create', '--', 'true'])).stdout)?.[1]);
    for (const id of [said, quiet]) assert.equal((await waitForTaskEnd(server.api, id, { timeoutMs: 30_000, details: logs })).status, 'success');
    assert.equal((await expectExit(0, ['tasks', 'logs', String(said)])).stdout, `logs ${RUN_ID}\n`);
    const none = await expectExit(0, ['tasks', 'logs', String(quiet)]);
    assert.deepEqual([none.stdout, none.stderr], ['', '']);
  });

  it('keeps a task with --delay pending, its runAt that far ahead; --at sets the instant', async () => {
    const before = Date.now();
    const r = await expectExit(0, ['tasks', 'create', '--delay', '2h', '-o', 'json', '--', 'echo', 'later']);
    const after = Date.now();
    const answer = JSON.parse(r.stdout) as { taskId: number; created: boolean };
    assert.equal(answer.created, true);
    const t = await view(answer.taskId);
    assert.equal(t.status, 'pending');
    const runAtMs = Date.parse(t.runAt ?? '');
    assert.ok(runAtMs >= before + 7_200_000 - 1000 && runAtMs <= after + 7_200_000 + 1000, `runAt ${t.runAt} is 2 h after ${new Date(before).toISOString()}`);

    const human = await expectExit(0, ['tasks', 'create', '--delay', '90', '--', 'echo', 'soon']);
    assert.match(human.stdout, /^task \d+ queued to run in 1m 30s\n$/);

    const at = '2031-05-04T03:02:01Z';
    const byAt = await expectExit(0, ['tasks', 'create', '--at', at, '--runner', 'http', '--spec', '{"url":"http://127.0.0.1:9/hook","method":"POST"}']);
    const atId = Number(/^task (\d+) queued to run at 2031-05-04T03:02:01Z\n$/.exec(byAt.stdout)?.[1]);
    const atTask = await view(atId);
    assert.deepEqual([atTask.status, atTask.runner, atTask.runAt], ['pending', 'http', '2031-05-04T03:02:01.000Z']);
  });

  it('answers a repeated idempotency key with the first task and makes no second', async () => {
    const key = `order-${tag}`;
    const args = ['tasks', 'create', '--delay', '1h', '--idempotency-key', key, '--', 'echo', 'remind'];
    const first = await expectExit(0, args);
    const id = Number(/^task (\d+) queued to run in 1h\n$/.exec(first.stdout)?.[1]);
    const count = await taskCount();
    const again = await expectExit(0, args);
    assert.equal(again.stdout, `task ${id} already exists with idempotency key '${key}': nothing new was queued\n`);
    assert.deepEqual(JSON.parse((await expectExit(0, [...args.slice(0, -3), '-o', 'json', '--', 'echo', 'other'])).stdout), { taskId: id, created: false });
    assert.equal(await taskCount(), count, 'no second task');
    assert.equal((await view(id)).idempotencyKey, key);
  });

  it('sends a batch file: exit 1 for the one bad line, named by its line and field, the good ones made in order', async () => {
    const lines = [
      JSON.stringify(echo('a', { delaySeconds: 3600, idempotencyKey: `b1-${tag}` })),
      JSON.stringify(echo('b', { idempotencyKey: `b2-${tag}` })),
      '',
      JSON.stringify({ runner: 'command', spec: { args: ['no command'] }, idempotencyKey: `b3-${tag}` }),
      JSON.stringify(echo('c', { idempotencyKey: `b4-${tag}` })),
    ];
    const path = file('batch.jsonl', `${lines.join('\n')}\n`);
    const r = await expectExit(1, ['tasks', 'create', '-f', path, '--delay', '30m']);
    const out = r.stdout.trimEnd().split('\n');
    assert.equal(out.length, 5, r.stdout);
    const ids = [out[0], out[1], out[3]].map((l, i) => Number(new RegExp(`^line ${[1, 2, 5][i]}: task (\\d+) created$`).exec(l)?.[1]));
    assert.match(out[2], /^line 4: refused: spec\.command: .+ \(ValidationFailed\)$/);
    assert.equal(out[4], '4 task(s): 3 created, 0 already existed, 1 refused');
    const made = await Promise.all(ids.map(view));
    assert.deepEqual(made.map((t) => [t.status, t.idempotencyKey]), [['pending', `b1-${tag}`], ['pending', `b2-${tag}`], ['pending', `b4-${tag}`]]);
    // Line 1 gives its own delay; the others take --delay's.
    assert.ok(Date.parse(made[0].runAt ?? '') - Date.parse(made[1].runAt ?? '') > 25 * 60_000, 'line 1 keeps its own hour');

    const json = await expectExit(1, ['tasks', 'create', '-f', path, '-o', 'json']);
    const report = JSON.parse(json.stdout) as BatchReport;
    assert.deepEqual([report.created, report.existed, report.refused], [0, 3, 1], 'the keys hold across runs of the same file');
    assert.deepEqual(report.items[2], { line: 4, error: { code: 'ValidationFailed', message: (report.items[2] as { error: { message: string } }).error.message, field: 'spec.command' } });
    assert.deepEqual(report.items.map((i) => ('taskId' in i ? i.taskId : null)), [ids[0], ids[1], null, ids[2]]);
  });

  it('--atomic: one refused task makes none, and more than 1000 tasks are refused before anything is sent', async () => {
    const count = await taskCount();
    const path = file('atomic.json', JSON.stringify([echo('x', { delaySeconds: 3600 }), echo('y', { delaySeconds: 3600 }), echo('z', { delaySeconds: 3600, namespace: `nowhere-${tag}` })]));
    const r = await expectExit(1, ['tasks', 'create', '-f', path, '--atomic']);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^cronfleet: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[2\\]: namespace: no namespace 'nowhere-${tag}'.* \\(HTTP 400 ValidationFailed\\)\ncronfleet: --atomic: no task was made\n$`));
    assert.equal(await taskCount(), count, 'nothing was made');

    const many = file('many.jsonl', `${Array.from({ length: 1001 }, (_, i) => JSON.stringify(echo(`n${i}`, { delaySeconds: 3600 }))).join('\n')}\n`);
    const big = await expectExit(2, ['tasks', 'create', '-f', many, '--atomic']);
    assert.match(big.stderr, /--atomic: .* holds 1001 tasks; an atomic batch is one request of at most 1000/);
    assert.equal(await taskCount(), count, 'nothing was sent');

    const good = file('atomic-ok.json', JSON.stringify([echo('x', { delaySeconds: 3600 }), echo('y', { delaySeconds: 3600 })]));
    const ok = await expectExit(0, ['tasks', 'create', '-f', good, '--atomic']);
    assert.match(ok.stdout, /^\[0\]: task \d+ created\n\[1\]: task \d+ created\n2 task\(s\): 2 created, 0 already existed, 0 refused\n$/);
  });

  it("shows an http task's response status as its RESULT (HTTP 204, HTTP 503 UnexpectedStatus), as a command's exit code", async () => {
    const site = createServer((req, res) => {
      res.statusCode = req.url === '/ok' ? 204 : 503;
      res.end(req.url === '/ok' ? undefined : 'down');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const { port } = site.address() as AddressInfo;
    try {
      const create = async (path: string): Promise<number> => {
        const r = await expectExit(0, ['tasks', 'create', '--runner', 'http', '--spec', JSON.stringify({ url: `http://127.0.0.1:${port}${path}` }), '-o', 'json']);
        return (JSON.parse(r.stdout) as { taskId: number }).taskId;
      };
      const ok = await create('/ok');
      const down = await create('/down');
      const cmd = Number(/^task (\d+)/.exec((await expectExit(0, ['tasks', 'create', '--', 'sh', '-c', 'exit 0'])).stdout)?.[1]);
      for (const id of [ok, down, cmd]) await waitForTaskEnd(server.api, id, { timeoutMs: 30_000, details: logs });
      const rows = (await expectExit(0, ['tasks', 'ls', '--limit', '20'])).stdout.split('\n');
      const row = (id: number) => rows.find((l) => l.startsWith(`${id} `)) ?? `no row for task ${id}:\n${rows.join('\n')}`;
      assert.match(row(ok), / success .* HTTP 204$/);
      assert.match(row(down), / failed .* HTTP 503 UnexpectedStatus$/);
      assert.match(row(cmd), / success .* exit 0$/);
      assert.match((await expectExit(0, ['tasks', 'get', String(ok)])).stdout, /^HTTP status: +204$/m);
      assert.deepEqual([(await view(ok)).httpStatus, (await view(down)).httpStatus, (await view(cmd)).httpStatus], [204, 503, null]);
    } finally {
      site.close();
    }
  });

  it('cancels a pending task and says why an unknown id and an ended task were not (exit 1)', async () => {
    const pending = Number(/^task (\d+)/.exec((await expectExit(0, ['tasks', 'create', '--delay', '1h', '--', 'echo', 'never'])).stdout)?.[1]);
    const done = Number(/^task (\d+)/.exec((await expectExit(0, ['tasks', 'create', '--', 'true'])).stdout)?.[1]);
    await waitForTaskEnd(server.api, done, { timeoutMs: 30_000, details: logs });
    const r = await expectExit(1, ['tasks', 'cancel', String(pending), '999999999', String(done), '--yes']);
    assert.equal(
      r.stdout,
      `task ${pending} cancelled\ntask 999999999 not found (HTTP 404 TaskNotFound)\ntask ${done} cannot be cancelled: it is success (HTTP 409 TaskNotRunning)\n`,
    );
    assert.equal((await view(pending)).status, 'cancelled');
    const json = JSON.parse((await expectExit(1, ['tasks', 'cancel', String(pending), '-o', 'json', '--yes'])).stdout) as { items: { taskId: number; cancelled: boolean; error?: { code: string } }[] };
    assert.deepEqual(json.items.map((i) => [i.taskId, i.cancelled, i.error?.code]), [[pending, false, 'TaskNotRunning']]);
  });

  it('refuses bad flags before sending anything (exit 2), naming the flag', async () => {
    const count = await taskCount();
    const refusals: [string[], RegExp][] = [
      [['--delay', '5x', '--', 'true'], /option '--delay <duration>' argument '5x' is invalid/],
      [['--delay', '367d', '--', 'true'], /'--delay <duration>' argument '367d' is invalid\. must be a duration at most 366d/],
      [['--at', 'tomorrow', '--', 'true'], /option '--at <instant>' argument 'tomorrow' is invalid\. must be an ISO-8601 instant/],
      [['--delay', '1m', '--at', '2031-01-01T00:00:00Z', '--', 'true'], /option '--at <instant>' cannot be used with option '--delay <duration>'/],
      [['--timeout', '0', '--', 'true'], /'--timeout <duration>' argument '0' is invalid/],
      [['--priority', '1001', '--', 'true'], /'--priority <n>' argument '1001' is invalid/],
      [['--spec', '[1]', '--runner', 'http'], /'--spec <json>' argument '\[1\]' is invalid\. must be a JSON object/],
      [['--runner', 'http'], /--runner http needs --spec/],
      [['--atomic', '--', 'true'], /--atomic is for a batch: give it with -f FILE/],
      [[], /nothing to run: give the command after --/],
      [['sh', '-c', 'true'], /unknown option '-c'\n\(add --help for usage; put the command to run after --/],
    ];
    for (const [args, message] of refusals) {
      const r = await expectExit(2, ['tasks', 'create', ...args]);
      assert.match(r.stderr, message, `tasks create ${args.join(' ')}`);
    }
    assert.match((await expectExit(2, ['tasks', 'cancel', 'abc'])).stderr, /a task id must be a whole number/);
    assert.equal(await taskCount(), count, 'nothing was made');
  });
});
