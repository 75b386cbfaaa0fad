import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceBody } from './namespaces.command';

describe('namespaces create and set body', () => {
  it('sends only the options given, a quota of none as null and an empty description as null', () => {
    assert.deepEqual(namespaceBody({}), {});
    assert.deepEqual(namespaceBody({ maxJobs: 10 }), { maxJobs: 10 });
    assert.deepEqual(namespaceBody({ description: '', maxJobs: null, maxConcurrentTasks: 0 }), { description: null, maxJobs: null, maxConcurrentTasks: 0 });
    assert.deepEqual(namespaceBody({ description: 'the A team' }), { description: 'the A team' });
  });
});
