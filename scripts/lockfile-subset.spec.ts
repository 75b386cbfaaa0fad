// scripts/lockfile-subset.js on made-up lockfiles: what a packed program's tree keeps, where it moves
// what sat under a workspace, and the trees it refuses to cut.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

type Packages = Record<string, Record<string, unknown>>;
interface LockfileSubset {
  lockfileSubset(lock: { packages: Packages }, placements: { workspace: string; location: string; entry?: object }[], root?: object): Packages;
}

/** The compiled spec sits in build/scripts; the repository is two levels up. */
const { lockfileSubset } = require(join(__dirname, '../..', 'scripts/lockfile-subset.js')) as LockfileSubset;

/** A repository with workspaces app (a program) and lib, hoisted as npm hoists them. */
function repo(extra: Packages = {}): { packages: Packages } {
  return {
    packages: {
      '': { name: 'root', workspaces: ['lib', 'app'], devDependencies: { typescript: '5' } },
      app: { name: '@x/app', version: '1.0.0', dependencies: { '@x/lib': '1.0.0', a: '^1' }, devDependencies: { typescript: '5' } },
      lib: { name: '@x/lib', version: '1.0.0', dependencies: { b: '^1' } },
      'node_modules/@x/app': { resolved: 'app', link: true },
      'node_modules/@x/lib': { resolved: 'lib', link: true },
      'node_modules/a': { version: '1.0.0', dependencies: { c: '^1' }, optionalDependencies: { d: '^1' } },
      'node_modules/b': { version: '1.1.0' },
      'node_modules/c': { version: '1.0.0' },
      'node_modules/d': { version: '1.0.0', optional: true },
      'node_modules/typescript': { version: '5.9.0', dev: true },
      'node_modules/unused': { version: '1.0.0' },
      ...extra,
    },
  };
}

const APP_WITH_LIB = [
  { workspace: 'app', location: '', entry: { name: '@x/app', version: '1.0.0' } },
  { workspace: 'lib', location: 'node_modules/@x/lib', entry: { resolved: 'file:lib.tgz', integrity: 'sha512-x' } },
];

describe('lockfileSubset', () => {
  it("keeps what the program needs at runtime, its workspaces where they are placed, and drops dev and unrelated packages", () => {
    const packages = lockfileSubset(repo(), APP_WITH_LIB);
    assert.deepEqual(Object.keys(packages), ['', 'node_modules/@x/lib', 'node_modules/a', 'node_modules/b', 'node_modules/c', 'node_modules/d']);
    assert.deepEqual(packages[''], { name: '@x/app', version: '1.0.0', dependencies: { '@x/lib': '1.0.0', a: '^1' } });
    assert.equal(packages['node_modules/@x/lib'].resolved, 'file:lib.tgz');
    assert.equal(packages['node_modules/d'].optional, true, 'reached only through an optional dependency');
    assert.equal(packages['node_modules/c'].optional, undefined);
  });

  it("moves a package nested under a workspace along with it", () => {
    const packages = lockfileSubset(repo({ 'lib/node_modules/b': { version: '2.0.0' } }), APP_WITH_LIB);
    assert.equal(packages['node_modules/@x/lib/node_modules/b'].version, '2.0.0');
    assert.ok(!('node_modules/b' in packages), 'the hoisted b is not what lib uses');
  });

  it('refuses a tree in which a dependency would resolve to another version than in the repository', () => {
    // app's own a@2 sits under app; the hoisted a@1 is lib's. With app at the root both want node_modules/a.
    const lock = repo({ 'app/node_modules/a': { version: '2.0.0' } });
    lock.packages.lib = { ...lock.packages.lib, dependencies: { a: '^1' } };
    assert.throws(() => lockfileSubset(lock, APP_WITH_LIB), /and another package would both sit at 'node_modules\/a'/);
  });

  it('refuses a program whose workspace dependency is not placed in the tree', () => {
    assert.throws(() => lockfileSubset(repo(), [APP_WITH_LIB[0]]), /needs the workspace lib \(@x\/lib\), which is not packed with it/);
  });

  it('refuses a dependency the lockfile lacks, but not a missing optional one', () => {
    const lock = repo();
    delete lock.packages['node_modules/d'];
    assert.ok(!('node_modules/d' in lockfileSubset(lock, APP_WITH_LIB)));
    delete lock.packages['node_modules/c'];
    assert.throws(() => lockfileSubset(lock, APP_WITH_LIB), /node_modules\/a needs c, which the repository's package-lock.json does not have/);
  });
});
