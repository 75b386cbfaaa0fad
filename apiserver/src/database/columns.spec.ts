import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLockConflict } from '../common/lock-conflict';
import { retryOnLockConflict } from './columns';

const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { driverError: { code: 'ER_LOCK_DEADLOCK', errno: 1213 } });

describe('retryOnLockConflict', () => {
  it('tells lock races from other errors', () => {
    assert.equal(isLockConflict(deadlock), true);
    assert.equal(isLockConflict({ code: 'SQLITE_BUSY' }), true);
    assert.equal(isLockConflict({ errno: 1205 }), true);
    assert.equal(isLockConflict(new Error('syntax')), false);
    assert.equal(isLockConflict(undefined), false);
  });

  it('tries a write that lost a lock race again, and gives up after the last attempt', async () => {
    let calls = 0;
    assert.equal(await retryOnLockConflict(async () => (++calls < 3 ? Promise.reject(deadlock) : 'saved')), 'saved');
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(retryOnLockConflict(async () => (calls++, Promise.reject(deadlock)), 2), /Deadlock/);
    assert.equal(calls, 2);
  });

  it('does not repeat a write that failed otherwise', async () => {
    let calls = 0;
    await assert.rejects(retryOnLockConflict(async () => (calls++, Promise.reject(new Error('duplicate name')))), /duplicate name/);
    assert.equal(calls, 1);
  });
});
