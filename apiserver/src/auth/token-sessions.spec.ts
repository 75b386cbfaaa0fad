import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalClusterEvents } from '../cluster/cluster-events';
import { type StreamEnd, TokenSessions } from './token-sessions';
import type { Actor } from '@cronfleet/shared';

const actor = (tokenId: number | null, expiresAtMs: number | null = null): Actor => ({ tokenId, name: `t${tokenId}`, role: 'viewer', namespace: null, expiresAtMs });

describe('TokenSessions', () => {
  it('closes every stream of a revoked token once, and no other', async () => {
    const sessions = new TokenSessions(new LocalClusterEvents());
    const ends: [string, StreamEnd][] = [];
    sessions.hold(actor(1), (e) => ends.push(['a', e]));
    sessions.hold(actor(1), (e) => ends.push(['b', e]));
    sessions.hold(actor(2), (e) => ends.push(['c', e]));
    await sessions.revoked(1, 't1');
    await sessions.revoked(1, 't1');
    assert.deepEqual(ends.map(([s, e]) => [s, e.code]), [['a', 'TokenRevoked'], ['b', 'TokenRevoked']]);
    assert.equal(sessions.size, 1);
    sessions.onModuleDestroy();
  });

  it("closes a stream held after its token's revocation was heard: checked, revoked, then held", async () => {
    const sessions = new TokenSessions(new LocalClusterEvents());
    // The request's check passed: its token was live then.
    const checked = actor(1);
    // The revocation lands before the stream is held: there was nothing to close yet.
    await sessions.revoked(1, 't1');
    const ends: StreamEnd[] = [];
    const release = sessions.hold(checked, (e) => ends.push(e));
    assert.deepEqual(ends, [], 'not from inside hold: the caller keeps the release first');
    await Promise.resolve();
    assert.deepEqual(ends, [{ code: 'TokenRevoked', message: "token 't1' was revoked" }]);
    assert.equal(sessions.size, 0);
    release();
    // Another token's stream is not touched by that revocation.
    sessions.hold(actor(2), () => assert.fail('token 2 was not revoked'));
    await Promise.resolve();
    assert.equal(sessions.size, 1);
    sessions.onModuleDestroy();
  });

  it('forgets a stream released before its token is revoked', async () => {
    const sessions = new TokenSessions(new LocalClusterEvents());
    let closed = false;
    const release = sessions.hold(actor(1), () => (closed = true));
    release();
    await sessions.revoked(1, 't1');
    assert.equal(closed, false);
    assert.equal(sessions.size, 0);
    sessions.onModuleDestroy();
  });

  it('closes the stream of a token already expired at once, and holds nothing for the admin token', async () => {
    const sessions = new TokenSessions(new LocalClusterEvents());
    // The expiry timer is unref'd (it must not keep a stopping server alive): hold the loop open meanwhile.
    const keepAlive = setInterval(() => undefined, 1000);
    const end = await new Promise<StreamEnd>((resolve) => sessions.hold(actor(3, 1000), resolve, 2000));
    clearInterval(keepAlive);
    assert.equal(end.code, 'TokenExpired');
    sessions.hold(actor(null), () => assert.fail('the admin token cannot be revoked'));
    assert.equal(sessions.size, 0);
    sessions.onModuleDestroy();
  });
});
