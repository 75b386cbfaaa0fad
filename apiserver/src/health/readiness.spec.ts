import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkReadiness } from './readiness';

const ok = (name: string) => ({ name, run: async () => undefined });
const failing = (name: string, message: string) => ({
  name,
  run: async () => {
    throw new Error(message);
  },
});

describe('checkReadiness', () => {
  it('is ready when every check passes', async () => {
    assert.deepEqual(await checkReadiness([ok('database'), ok('migrations'), ok('redis')], 1000), {
      status: 'ready',
      notReady: [],
      checks: { database: { ok: true }, migrations: { ok: true }, redis: { ok: true } },
    });
  });

  it('names each failed check and why', async () => {
    const r = await checkReadiness([ok('database'), failing('migrations', '1 not applied: AddShards1764'), failing('redis', 'Redis at redis://r:6379 does not answer (ECONNREFUSED)')], 1000);
    assert.equal(r.status, 'not ready');
    assert.deepEqual(r.notReady, ['migrations', 'redis']);
    assert.deepEqual(r.checks.migrations, { ok: false, error: '1 not applied: AddShards1764' });
    assert.deepEqual(r.checks.database, { ok: true });
  });

  it('fails a check that does not answer in time instead of waiting for it', async () => {
    let release!: () => void;
    const hung = { name: 'database', run: () => new Promise<void>((resolve) => (release = resolve)) };
    const r = await checkReadiness([hung, ok('migrations')], 20);
    assert.deepEqual(r.notReady, ['database']);
    assert.deepEqual(r.checks.database, { ok: false, error: 'no answer within 20 ms' });
    release();
  });
});
