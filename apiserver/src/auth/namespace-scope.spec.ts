import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../common/errors';
import { type Actor, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { createNamespace, listNamespace } from './namespace-scope';

const scoped: Actor = { tokenId: 4, name: 'team-a-ci', role: 'admin', namespace: 'team-a' };
const cluster: Actor = { tokenId: 5, name: 'ops', role: 'viewer', namespace: null };
const outside = (e: unknown) => e instanceof DomainError && e.code === 'OutsideNamespace' && e.message === "namespace: token 'team-a-ci' is scoped to namespace 'team-a'; 'team-b' is outside it";

describe('namespace scope of a request', () => {
  it('lets a cluster-wide token list every namespace or the one it asks for', () => {
    for (const a of [cluster, BOOTSTRAP_ADMIN, undefined]) {
      assert.equal(listNamespace(a, undefined), undefined);
      assert.equal(listNamespace(a, 'team-b'), 'team-b');
    }
  });

  it("narrows a scoped token's lists to its namespace, and refuses another naming both", () => {
    assert.equal(listNamespace(scoped, undefined), 'team-a');
    assert.equal(listNamespace(scoped, 'team-a'), 'team-a');
    assert.throws(() => listNamespace(scoped, 'team-b'), outside);
  });

  it("puts what is created in the asked namespace, else the token's, else default", () => {
    assert.equal(createNamespace(cluster, undefined), 'default');
    assert.equal(createNamespace(undefined, 'team-b'), 'team-b');
    assert.equal(createNamespace(scoped, undefined), 'team-a');
    assert.equal(createNamespace(scoped, 'team-a'), 'team-a');
    assert.throws(() => createNamespace(scoped, 'team-b'), outside);
  });
});
