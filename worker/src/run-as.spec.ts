import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRunAs } from './run-as';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1001:1002::/home/app:/bin/sh\n';

describe('resolveRunAs', () => {
  it('finds a user by name, or takes uid[:gid]', () => {
    assert.deepEqual(resolveRunAs('app', PASSWD, 0), { name: 'app', uid: 1001, gid: 1002, home: '/home/app' });
    assert.deepEqual(resolveRunAs('65534', PASSWD, 0), { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' });
    assert.deepEqual(resolveRunAs('4000:4001', PASSWD, 0), { name: '4000', uid: 4000, gid: 4001, home: '/' });
  });

  it('refuses at start what could only fail every task', () => {
    assert.throws(() => resolveRunAs('app', PASSWD, 1000), /must run as root .* uid 1000/);
    assert.throws(() => resolveRunAs('ghost', PASSWD, 0), /no such user/);
    assert.throws(() => resolveRunAs('root', PASSWD, 0), /is root/);
  });
});
