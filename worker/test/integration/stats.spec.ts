import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { WorkerStatsSchema } from '@cronfleet/shared';
import { LastErrorTracker, collectStats, processRssBytes } from '../../src/stats';

describe('worker stats', () => {
  it('reads the resident memory of a process from /proc, 0 for one that does not exist', async () => {
    const own = processRssBytes(process.pid);
    const rss = process.memoryUsage.rss();
    assert.ok(own > rss / 2 && own < rss * 2, `${own} is about ${rss}`);
    assert.equal(processRssBytes(2 ** 31 - 1), 0);

    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      assert.ok(processRssBytes(child.pid as number) > 0);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('collects figures valid per the shared schema, with the last error', () => {
    const errors = new LastErrorTracker();
    const before = WorkerStatsSchema.parse(collectStats(new Map(), errors.value));
    assert.equal(before.lastError, null);
    assert.ok(before.hostTotalMemoryBytes >= before.hostFreeMemoryBytes);

    errors.note('x'.repeat(200), 'y'.repeat(3000), 1234);
    const after = WorkerStatsSchema.parse(collectStats(new Map([[7, 2 ** 31 - 1], [8, process.pid]]), errors.value));
    assert.equal(after.tasks[0].taskId, 7);
    assert.equal(after.tasks[0].rssBytes, 0, 'a process that does not exist counts 0');
    assert.ok(after.tasks[1].rssBytes > 0);
    assert.ok(after.rssBytes >= process.memoryUsage.rss() + after.tasks[1].rssBytes / 2);
    assert.equal(after.lastError?.atMs, 1234);
    assert.equal(after.lastError?.code.length, 128);
    assert.equal(after.lastError?.message.length, 2000);
    assert.ok(after.lastError?.message.endsWith('…'));
  });
});
