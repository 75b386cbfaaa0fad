// The real file system behind resolveProgram: symlink chains and modes in a temp directory, and the
// host's /bin/sh (the rest of program resolution is unit-tested in worker/src/program-resolution.spec.ts).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realFileSystem, resolveProgram } from '../../src/program-resolution';

describe('realFileSystem', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cronfleet-resolve-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows a chain of symlinks to the real file and finds only executable regular files', () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'real', 'data'), 'x', { mode: 0o644 });
    symlinkSync(join(dir, 'real', 'tool'), join(dir, 'link1'));
    symlinkSync('link1', join(dir, 'link2'));
    symlinkSync('real', join(dir, 'realdir'));
    chmodSync(join(dir, 'real', 'tool'), 0o755);
    assert.equal(resolveProgram('link2', { cwd: '/', path: dir }, realFileSystem)?.path, join(dir, 'real', 'tool'));
    assert.equal(resolveProgram('./realdir/tool', { cwd: dir, path: '' }, realFileSystem)?.path, join(dir, 'real', 'tool'));
    assert.equal(resolveProgram('data', { cwd: '/', path: join(dir, 'real') }, realFileSystem), null, 'not executable');
    assert.equal(resolveProgram('real', { cwd: '/', path: dir }, realFileSystem), null, 'a directory');
    assert.equal(resolveProgram('sh', { cwd: '/', path: `${dir}:/bin:/usr/bin` }, realFileSystem)?.path, realpathSync('/bin/sh'));
  });
});
