import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskUpdate } from '@cronfleet/shared';
import { JOURNAL_FILE, ResultSpool, StateDirError, type ResultSpoolOptions } from '../../src/result-spool';
import { TempDirs } from './gateway-stub';

function result(taskId: number, atMs = 1_700_000_000_000 + taskId, message = 'exit code 1'): TaskUpdate {
  return { taskId, status: 'failed', atMs, exitCode: 1, signal: null, error: { code: 'Failed', message, retryable: false } };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The journal's lines, without the empty string after the last newline. */
function journal(dir: string): string[] {
  const text = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'the journal ends with a whole line');
  return text.split('\n').slice(0, -1);
}

const saved = (update: TaskUpdate): string => `+${JSON.stringify(update)}`;

describe('ResultSpool', () => {
  const dirs = new TempDirs();
  const opened: ResultSpool[] = [];
  let logs: string[] = [];
  afterEach(() => {
    for (const spool of opened.splice(0)) spool.close();
    dirs.removeAll();
    logs = [];
  });

  const open = (dir: string, options: Partial<ResultSpoolOptions> = {}) => {
    const r = ResultSpool.open(dir, { log: (l) => logs.push(l), ...options });
    opened.push(r.spool);
    return r;
  };
  /** What a worker started next on `dir` would be handed. */
  const reopen = (dir: string, options: Partial<ResultSpoolOptions> = {}): TaskUpdate[] => {
    const { spool, results } = open(dir, options);
    spool.close();
    return results;
  };

  it('creates the directory, appends each result to one journal only its owner can read, and a new instance reads them back oldest first', () => {
    const dir = join(dirs.make(), 'state', 'w1');
    const { spool, results } = open(dir);
    assert.deepEqual(results, []);
    spool.save(result(3, 3000));
    spool.save(result(1, 1000));
    spool.save(result(2, 2000));
    assert.deepEqual(readdirSync(dir), [JOURNAL_FILE]);
    assert.equal(statSync(join(dir, JOURNAL_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(journal(dir), [saved(result(3, 3000)), saved(result(1, 1000)), saved(result(2, 2000))], 'on disk when save() returns');
    spool.close();

    const again = open(dir);
    assert.deepEqual(again.results, [result(1, 1000), result(2, 2000), result(3, 3000)]);
    assert.equal(again.spool.size, 3);
  });

  it('replaces the earlier result of the same task', () => {
    const dir = dirs.make();
    const { spool } = open(dir);
    spool.save(result(1));
    const killed: TaskUpdate = { ...result(1), status: 'killed' };
    spool.save(killed);
    assert.equal(spool.size, 1);
    spool.close();
    assert.deepEqual(reopen(dir), [killed]);
  });

  it('writes removals together at the end of the event-loop turn, before a later save, and at close()', async () => {
    const dir = dirs.make();
    const { spool } = open(dir);
    for (const id of [1, 2, 3, 4]) spool.save(result(id));
    spool.remove(1);
    spool.remove(1);
    spool.remove(99);
    assert.equal(spool.size, 3);
    assert.equal(journal(dir).length, 4, 'not yet written');
    await turn();
    assert.deepEqual(journal(dir).slice(4), ['-1'], 'one line, however often it was removed');

    spool.remove(2);
    spool.save(result(5));
    assert.deepEqual(journal(dir).slice(5), ['-2', saved(result(5))], 'written with the save, ahead of it');
    spool.remove(3);
    spool.close();
    assert.deepEqual(journal(dir).slice(7), ['-3']);
    assert.throws(() => spool.save(result(6)), { message: `the result spool in ${dir} is closed` });
    assert.deepEqual(reopen(dir), [result(4), result(5)]);
  });

  it('drops the oldest results past maxResults, logging how many, never the one just written', () => {
    const dir = dirs.make();
    const { spool } = open(dir, { maxResults: 2 });
    assert.deepEqual(spool.save(result(1)), []);
    assert.deepEqual(spool.save(result(2)), []);
    assert.deepEqual(spool.save(result(3)), [1]);
    spool.close();
    assert.deepEqual(logs, [`result spool ${dir} is full (at most 2 results, 16777216 bytes): dropped the 1 oldest undelivered result(s) (task 1)`]);
    assert.deepEqual(reopen(dir).map((r) => r.taskId), [2, 3]);
  });

  it('drops the oldest results past maxBytes', () => {
    const dir = dirs.make();
    const size = Buffer.byteLength(JSON.stringify(result(1, 1, 'x'.repeat(1000))));
    const { spool } = open(dir, { maxBytes: size * 3 });
    for (const id of [1, 2, 3]) assert.deepEqual(spool.save(result(id, id, 'x'.repeat(1000))), []);
    assert.deepEqual(spool.save(result(4, 4, 'x'.repeat(1800))), [1, 2]);
    spool.close();
    assert.match(logs.join('\n'), /dropped the 2 oldest undelivered result\(s\) \(task 1, 2\)$/);
    assert.deepEqual(reopen(dir).map((r) => r.taskId), [3, 4]);
  });

  it('applies the bounds to what an earlier run left, keeping the newest, and compacts the journal to them', () => {
    const dir = dirs.make();
    const first = open(dir).spool;
    for (const id of [5, 1, 4, 2, 3]) first.save(result(id, id * 1000));
    first.close();
    const { results } = open(dir, { maxResults: 2 });
    assert.deepEqual(results.map((r) => r.taskId), [4, 5]);
    assert.deepEqual(journal(dir), [saved(result(4, 4000)), saved(result(5, 5000))]);
    assert.match(logs.at(-1) ?? '', /dropped the 3 oldest undelivered result\(s\) \(task 1, 2, 3\)$/);
  });

  it('ignores a last line a crash cut short, and appends whole lines after it', () => {
    const dir = dirs.make();
    const { spool } = open(dir);
    spool.save(result(1));
    spool.save(result(2));
    spool.close();
    appendFileSync(join(dir, JOURNAL_FILE), saved(result(3)).slice(0, 30));

    const again = open(dir);
    assert.deepEqual(again.results, [result(1), result(2)]);
    assert.deepEqual(logs, [], 'a write cut short is no news: its save() never returned');
    again.spool.save(result(4));
    again.spool.close();
    assert.deepEqual(reopen(dir), [result(1), result(2), result(4)]);
  });

  it('skips unreadable lines with a log line naming the journal and the line', () => {
    const dir = dirs.make();
    const file = join(dir, JOURNAL_FILE);
    writeFileSync(
      file,
      [
        saved(result(1)),
        'garbage',
        `+${JSON.stringify({ taskId: 2, status: 'running', atMs: 1 })}`,
        '+{"taskId":3,',
        `+${JSON.stringify({ ...result(4), error: { message: 'no code' } })}`,
        '-x',
        saved(result(5)),
        '',
      ].join('\n'),
    );
    assert.deepEqual(reopen(dir), [result(1), result(5)]);
    assert.deepEqual(logs, [
      `dropped unreadable line 2 of ${file}: neither a result nor a removal`,
      `dropped unreadable line 3 of ${file}: status running is not final`,
      `dropped unreadable line 4 of ${file}: not JSON`,
      `dropped unreadable line 5 of ${file}: error.code: Invalid input: expected string, received undefined; ` +
        'error.retryable: Invalid input: expected boolean, received undefined',
      `dropped unreadable line 6 of ${file}: neither a result nor a removal`,
    ]);
    assert.deepEqual(journal(dir), [saved(result(1)), saved(result(5))], 'rewritten without them');
  });

  it('compacts the journal to exactly the live results once it is mostly removals, shrinking the file', async () => {
    const dir = dirs.make();
    const file = join(dir, JOURNAL_FILE);
    const { spool } = open(dir);
    for (let id = 1; id <= 1000; id++) spool.save(result(id));
    const fullBytes = statSync(file).size;
    for (let id = 1; id <= 997; id++) spool.remove(id);
    await turn();
    assert.deepEqual(journal(dir), [saved(result(998)), saved(result(999)), saved(result(1000))]);
    assert.ok(statSync(file).size < fullBytes / 100, `${statSync(file).size} bytes left of ${fullBytes}`);
    assert.deepEqual(readdirSync(dir), [JOURNAL_FILE], 'no temporary file left');

    spool.save(result(1001));
    spool.remove(998);
    spool.close();
    assert.deepEqual(journal(dir).slice(3), [saved(result(1001)), '-998'], 'appends to the new journal');
    assert.deepEqual(reopen(dir).map((r) => r.taskId), [999, 1000, 1001]);
  });

  it('moves the result files of an older worker version into the journal, removing unreadable ones and temporary files', () => {
    const dir = dirs.make();
    const first = open(dir).spool;
    first.save(result(7));
    first.close();
    appendFileSync(join(dir, JOURNAL_FILE), `${saved(result(8))}\n-8\n`);
    writeFileSync(join(dir, 'task-1.json'), JSON.stringify(result(1)));
    writeFileSync(join(dir, 'task-8.json'), JSON.stringify(result(8))); // its removal is in the journal: delivered
    writeFileSync(join(dir, 'task-2.json.4242.tmp'), '{"taskId":2,');
    writeFileSync(join(dir, `${JOURNAL_FILE}.tmp`), saved(result(9)));
    writeFileSync(join(dir, 'task-3.json'), 'not json');
    writeFileSync(join(dir, 'task-4.json'), JSON.stringify({ ...result(5) }));
    writeFileSync(join(dir, 'task-6.json'), JSON.stringify({ taskId: 6, status: 'running', atMs: 1 }));
    writeFileSync(join(dir, 'notes.txt'), 'left alone');

    const { results } = open(dir);
    assert.deepEqual(results, [result(1), result(7)]);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', JOURNAL_FILE]);
    assert.deepEqual(logs.sort(), [
      `moved 2 result file(s) of an older worker version into ${join(dir, JOURNAL_FILE)}`,
      `removed unreadable result file ${join(dir, 'task-3.json')}: not JSON`,
      `removed unreadable result file ${join(dir, 'task-4.json')}: holds task 5, not 4`,
      `removed unreadable result file ${join(dir, 'task-6.json')}: status running is not final`,
    ]);
    assert.deepEqual(journal(dir), [saved(result(1)), saved(result(7))]);
  });

  it('keeps a saved result when the process is SIGKILLed right after save(), and writes its removals when it exits', () => {
    const dir = dirs.make();
    const child = (body: string) =>
      spawnSync(process.execPath, ['-e', `const { ResultSpool } = require(${JSON.stringify(join(__dirname, '../../src/result-spool.js'))});
        const { spool } = ResultSpool.open(${JSON.stringify(dir)}, { log: console.error });
        ${body}`], { encoding: 'utf8' });

    const killed = child(`spool.save(${JSON.stringify(result(1))}); spool.save(${JSON.stringify(result(2))}); process.kill(process.pid, 'SIGKILL');`);
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.deepEqual(reopen(dir), [result(1), result(2)]);

    // process.exit() ends the process before the end of the turn: only the exit hook writes the removal.
    const exited = child(`spool.remove(1); process.exit(0);`);
    assert.equal(exited.status, 0, exited.stderr);
    assert.deepEqual(reopen(dir), [result(2)]);
  });

  it('refuses a directory it cannot create with an error naming it and the option', () => {
    const file = join(dirs.make(), 'a-file');
    writeFileSync(file, '');
    const dir = join(file, 'state');
    assert.throws(
      () => open(dir),
      (e: unknown) =>
        e instanceof StateDirError &&
        e.code === 'StateDirUnusable' &&
        e.message.startsWith(`state directory ${dir} is not usable (ENOTDIR: not a directory`) &&
        e.message.endsWith('point --state-dir or CRONFLEET_WORKER_STATE_DIR at a writable directory'),
    );
  });

  it('refuses a journal it cannot read with the same error', () => {
    const dir = dirs.make();
    mkdirSync(join(dir, JOURNAL_FILE));
    assert.throws(
      () => open(dir),
      (e: unknown) => e instanceof StateDirError && e.message.startsWith(`state directory ${dir} is not usable (EISDIR: illegal operation on a directory`),
    );
  });
});
