import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskUpdate } from '@cronfleet/shared';
import { ResultSpool, StateDirError, type ResultSpoolOptions } from './result-spool';
import { TempDirs } from './test-support/gateway-stub';

function result(taskId: number, atMs = 1_700_000_000_000 + taskId, message = 'exit code 1'): TaskUpdate {
  return { taskId, status: 'failed', atMs, exitCode: 1, signal: null, error: { code: 'Failed', message, retryable: false } };
}

describe('ResultSpool', () => {
  const dirs = new TempDirs();
  let logs: string[] = [];
  afterEach(() => {
    dirs.removeAll();
    logs = [];
  });

  const open = (dir: string, options: Partial<ResultSpoolOptions> = {}) => ResultSpool.open(dir, { log: (l) => logs.push(l), ...options });

  it('creates the directory, keeps one JSON file per result, and a new instance reads them back oldest first', () => {
    const dir = join(dirs.make(), 'state', 'w1');
    const { spool, results } = open(dir);
    assert.deepEqual(results, []);
    spool.save(result(3, 3000));
    spool.save(result(1, 1000));
    spool.save(result(2, 2000));
    assert.deepEqual(readdirSync(dir).sort(), ['task-1.json', 'task-2.json', 'task-3.json']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'task-3.json'), 'utf8')), result(3, 3000));

    const again = open(dir);
    assert.deepEqual(again.results, [result(1, 1000), result(2, 2000), result(3, 3000)]);
    assert.equal(again.spool.size, 3);
  });

  it('replaces the earlier result of the same task and removes a result once delivered', () => {
    const dir = dirs.make();
    const { spool } = open(dir);
    spool.save(result(1));
    spool.save({ ...result(1), status: 'killed' });
    assert.equal(spool.size, 1);
    assert.equal((JSON.parse(readFileSync(join(dir, 'task-1.json'), 'utf8')) as TaskUpdate).status, 'killed');
    spool.remove(1);
    spool.remove(1);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(spool.size, 0);
  });

  it('drops the oldest results past maxResults, logging how many, never the one just written', () => {
    const dir = dirs.make();
    const { spool } = open(dir, { maxResults: 2 });
    assert.deepEqual(spool.save(result(1)), []);
    assert.deepEqual(spool.save(result(2)), []);
    assert.deepEqual(spool.save(result(3)), [1]);
    assert.deepEqual(readdirSync(dir).sort(), ['task-2.json', 'task-3.json']);
    assert.deepEqual(logs, [`result spool ${dir} is full (at most 2 results, 16777216 bytes): dropped the 1 oldest undelivered result(s) (task 1)`]);
  });

  it('drops the oldest results past maxBytes', () => {
    const dir = dirs.make();
    const size = Buffer.byteLength(JSON.stringify(result(1, 1, 'x'.repeat(1000))));
    const { spool } = open(dir, { maxBytes: size * 3 });
    for (const id of [1, 2, 3]) assert.deepEqual(spool.save(result(id, id, 'x'.repeat(1000))), []);
    assert.deepEqual(spool.save(result(4, 4, 'x'.repeat(1800))), [1, 2]);
    assert.deepEqual(readdirSync(dir).sort(), ['task-3.json', 'task-4.json']);
    assert.match(logs.join('\n'), /dropped the 2 oldest undelivered result\(s\) \(task 1, 2\)$/);
  });

  it('applies the bounds to what an earlier run left, keeping the newest', () => {
    const dir = dirs.make();
    const first = open(dir).spool;
    for (const id of [5, 1, 4, 2, 3]) first.save(result(id, id * 1000));
    const { results } = open(dir, { maxResults: 2 });
    assert.deepEqual(results.map((r) => r.taskId), [4, 5]);
    assert.deepEqual(readdirSync(dir).sort(), ['task-4.json', 'task-5.json']);
    assert.match(logs.at(-1) ?? '', /dropped the 3 oldest undelivered result\(s\) \(task 1, 2, 3\)$/);
  });

  it('removes temporary files a crash left, and unreadable result files with a log line naming them', () => {
    const dir = dirs.make();
    open(dir).spool.save(result(1));
    writeFileSync(join(dir, 'task-2.json.4242.tmp'), '{"taskId":2,');
    writeFileSync(join(dir, 'task-3.json'), 'not json');
    writeFileSync(join(dir, 'task-4.json'), JSON.stringify({ ...result(5) }));
    writeFileSync(join(dir, 'task-6.json'), JSON.stringify({ taskId: 6, status: 'running', atMs: 1 }));
    writeFileSync(join(dir, 'notes.txt'), 'left alone');
    const { results } = open(dir);
    assert.deepEqual(results, [result(1)]);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'task-1.json']);
    assert.deepEqual(logs.sort(), [
      `removed unreadable result file ${join(dir, 'task-3.json')}: not JSON`,
      `removed unreadable result file ${join(dir, 'task-4.json')}: holds task 5, not 4`,
      `removed unreadable result file ${join(dir, 'task-6.json')}: status running is not final`,
    ]);
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
});
