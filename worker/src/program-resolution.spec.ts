import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveProgram, type ProgramLookup } from './program-resolution';

const plain = (realpaths: Record<string, string>): ProgramLookup => ({ isExecutableFile: (p) => p in realpaths, realpath: (p) => realpaths[p] ?? null });

describe('resolveProgram', () => {
  const fs = plain({ '/usr/bin/true': '/usr/bin/true', '/bin/true': '/usr/bin/true', '/srv/job/true': '/usr/bin/dash' });

  it('searches a bare name along PATH, first match wins, and skips relative and empty entries', () => {
    assert.deepEqual(resolveProgram('true', { cwd: '/srv/job', path: ':.:bin:/usr/bin:/bin' }, fs), { requested: 'true', name: 'true', path: '/usr/bin/true' });
    assert.equal(resolveProgram('true', { cwd: '/srv/job', path: '/nowhere' }, fs), null);
  });

  it('resolves a path with a slash against cwd, never along PATH', () => {
    assert.equal(resolveProgram('./true', { cwd: '/srv/job', path: '/usr/bin' }, fs)?.path, '/usr/bin/dash');
    assert.equal(resolveProgram('/bin/true', { cwd: '/srv/job', path: '' }, fs)?.path, '/usr/bin/true');
    assert.equal(resolveProgram('', { cwd: '/', path: '/usr/bin' }, fs), null);
  });
});
