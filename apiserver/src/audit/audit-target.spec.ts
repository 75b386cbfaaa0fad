import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditTarget } from './audit-target';

describe('auditTarget', () => {
  it('names the task a one-shot POST /tasks created, from the taskId of its answer', () => {
    assert.equal(auditTarget({}, 202, { taskId: 42 }), '42');
  });

  it('names the task the first POST /tasks created when a repeated idempotency key answers 200', () => {
    assert.equal(auditTarget({}, 200, { taskId: 42 }), '42');
  });

  it('names the new attempt of a retry, not the retried task the path names', () => {
    assert.equal(auditTarget({ id: '41' }, 202, { taskId: 43 }), '43');
  });

  it('names the task a run-now started, not the job the path names', () => {
    assert.equal(auditTarget({ id: '5' }, 202, { taskId: 77 }), '77');
  });

  it('names a created cron job, token, workflow or workflow run by its id, and a namespace by its name', () => {
    assert.equal(auditTarget({}, 201, { id: 3, name: 'nightly' }), '3');
    assert.equal(auditTarget({ idOrName: 'etl' }, 202, { id: 9, workflowId: 2 }), '9');
    assert.equal(auditTarget({}, 201, { runId: 12 }), '12');
    assert.equal(auditTarget({}, 201, { name: 'team-a', description: null }), 'team-a');
  });

  it('names what the path names for a call that made nothing, whatever its answer', () => {
    assert.equal(auditTarget({ id: '5' }, 200, { id: 5, name: 'nightly' }), '5');
    assert.equal(auditTarget({ id: '7' }, 200, { taskId: 7, action: 'kill' }), '7');
    assert.equal(auditTarget({ name: 'team-a' }, 204, undefined), 'team-a');
    assert.equal(auditTarget({ id: '5' }, 404, undefined), '5');
  });

  it('names nothing when neither the path nor the answer does', () => {
    assert.equal(auditTarget({}, 200, { leader: 'a', paused: true }), null);
    assert.equal(auditTarget(undefined, 201, null), null);
    assert.equal(auditTarget({}, 201, { id: '' }), null);
  });

  it('keeps at most 100 characters', () => {
    assert.equal(auditTarget({ idOrName: 'x'.repeat(150) }, 204, undefined)?.length, 100);
  });
});
