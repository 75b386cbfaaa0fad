import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import Redis from 'ioredis';
import { RedisLease } from '../../src/cluster/lease/redis-lease';
import { REDIS_URL, uniqueSuffix } from './support';

describe('Redis leader lease', () => {
  const prefix = `cf_it_lease_${uniqueSuffix()}:`;
  const leases: RedisLease[] = [];
  const make = (ms = 2000) => {
    const l = new RedisLease(REDIS_URL, prefix, ms);
    leases.push(l);
    return l;
  };

  after(async () => {
    await Promise.all(leases.map((l) => l.stop()));
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('gives the lease to exactly one of two instances, and to the other when the holder stops', async () => {
    const a = make();
    const b = make();
    const firstLeader = Promise.race([once(a, 'acquired').then(() => a), once(b, 'acquired').then(() => b)]);
    a.start();
    b.start();
    const leader = await firstLeader;
    const standby = leader === a ? b : a;
    const firstEpoch = leader.epoch;
    // The standby retries every second; give it three tries to (wrongly) take the lease.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(leader.isLeader, true);
    assert.equal(standby.isLeader, false);

    const takeover = once(standby, 'acquired');
    await leader.stop();
    const [epoch] = (await takeover) as [number];
    assert.equal(standby.isLeader, true);
    assert.ok(epoch > firstEpoch, 'a new holder gets a higher epoch (fencing token)');
  });

  it('lets a standby take over after the holder vanishes without releasing', async () => {
    const p2 = `${prefix}vanish:`;
    const a = new RedisLease(REDIS_URL, p2, 2000);
    leases.push(a);
    a.start();
    await once(a, 'acquired');
    // Simulate a crashed holder: it stops extending but never releases the lock.
    (a as unknown as { stopped: boolean }).stopped = true;
    const b = new RedisLease(REDIS_URL, p2, 2000);
    leases.push(b);
    const t0 = Date.now();
    b.start();
    await once(b, 'acquired');
    assert.ok(Date.now() - t0 <= 2000 + 1500, 'takeover within the lease length plus one retry');
  });
});
