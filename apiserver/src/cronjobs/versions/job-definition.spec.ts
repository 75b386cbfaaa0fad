import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from '../../common/secret-box';
import type { CronJobEntity } from '../cronjob.entity';
import { CronJobHistory } from './cronjob-history';
import { definitionOf, diffJobs, notifyRulesOf, toDefinitionView } from './job-definition';

const box = new SecretBox(randomBytes(32));
const at = new Date('2026-01-01T00:00:00Z');

function job(over: Partial<CronJobEntity> = {}): CronJobEntity {
  return {
    id: 1, name: 'backup', namespace: 'default', schedule: '0 3 * * *', timezone: 'UTC', runner: 'command', spec: { command: 'pg_dump', args: ['db'] }, timeoutSeconds: null, enabled: true,
    jitterSeconds: 0, concurrencyPolicy: 'allow', misfirePolicy: 'runOnce', catchUpLimit: 10, startingDeadlineSeconds: null, retry: null, priority: 0,
    workerSelector: null, routing: 'leastLoaded', env: { TZ: 'UTC' }, secretEnv: box.seal({ PGPASSWORD: 'hunter2-secret' }), secretEnvKeys: ['PGPASSWORD'],
    maxOutputBytes: null, notify: [{ on: ['failure'], webhook: { url: 'https://hooks.example/x', headers: { Authorization: 'Bearer tok-secret' } } }],
    triggers: null, params: null, historyLimit: null, historyDays: null, version: 1, nextRunAt: at, createdAt: at, updatedAt: at, ...over,
  };
}

describe('a version of a job', () => {
  it('keeps the whole definition with no secret value in clear, and gives the header values back for a rollback', () => {
    const d = definitionOf(job(), box);
    const text = JSON.stringify(d);
    assert.ok(!text.includes('hunter2-secret') && !text.includes('tok-secret'), text);
    assert.deepEqual(box.open(d.secretEnv!), { PGPASSWORD: 'hunter2-secret' });
    assert.deepEqual(notifyRulesOf(d, box), job().notify);
    const view = toDefinitionView(d);
    assert.ok(!('secretEnv' in view) && !('notifyHeaders' in view));
    assert.deepEqual(view.secretEnvKeys, ['PGPASSWORD']);
    assert.deepEqual(view.notify, [{ on: ['failure'], webhook: { url: 'https://hooks.example/x', headerNames: ['Authorization'] } }]);
  });

  it('lists what changed, key by key inside objects, and nothing for the same values sealed again', () => {
    const before = job();
    const after = job({ schedule: '0 4 * * *', spec: { command: 'pg_dump', args: ['db', '--clean'] }, env: { TZ: 'UTC', LANG: 'C' }, enabled: false, secretEnv: box.seal({ PGPASSWORD: 'hunter2-secret' }) });
    assert.deepEqual(diffJobs(before, after, box), [
      { field: 'schedule', before: '0 3 * * *', after: '0 4 * * *' },
      { field: 'spec.args', before: ['db'], after: ['db', '--clean'] },
      { field: 'enabled', before: true, after: false },
      { field: 'env.LANG', before: null, after: 'C' },
    ]);
    assert.deepEqual(diffJobs(before, job({ secretEnv: box.seal({ PGPASSWORD: 'hunter2-secret' }) }), box), []);
  });

  it('lists a changed secret or header value as redacted, by names only', () => {
    const changes = diffJobs(job(), job({ secretEnv: box.seal({ PGPASSWORD: 'new-secret-value' }), notify: [{ on: ['failure'], webhook: { url: 'https://hooks.example/x', headers: { Authorization: 'Bearer other-secret' } } }] }), box);
    assert.deepEqual(changes, [
      { field: 'secretEnv', before: ['PGPASSWORD'], after: ['PGPASSWORD'], redacted: true },
      { field: 'notify', before: [{ on: ['failure'], webhook: { url: 'https://hooks.example/x', headerNames: ['Authorization'] } }], after: [{ on: ['failure'], webhook: { url: 'https://hooks.example/x', headerNames: ['Authorization'] } }], redacted: true },
    ]);
    assert.ok(!JSON.stringify(changes).includes('secret-value') && !JSON.stringify(changes).includes('other-secret'));
  });
});

describe('CronJobHistory', () => {
  const history = new CronJobHistory(box);
  const author = { actor: 'ci-deploy', role: 'admin', tokenId: 4 };

  it('records nothing for a change that changes nothing', () => {
    assert.deepEqual(history.changed(job(), job(), author), []);
  });

  it('records how a job made before versioning was, before its first change', () => {
    const drafts = history.changed(job({ version: 0 }), job({ priority: 5 }), author);
    assert.deepEqual(drafts.map((d) => [d.kind, d.actor, d.definition.priority]), [['baseline', 'before versioning', 0], ['updated', 'ci-deploy', 5]]);
    assert.deepEqual(drafts[1].changes, [{ field: 'priority', before: 0, after: 5 }]);
  });

  it('marks a rollback with the version it wrote again, and a deletion with the definition it removed', () => {
    const [r] = history.changed(job(), job({ schedule: '@daily' }), author, 1);
    assert.deepEqual([r.kind, r.rolledBackFrom], ['rollback', 1]);
    const [d] = history.deleted(job({ version: 3 }), author);
    assert.deepEqual([d.kind, d.definition.name, d.changes], ['deleted', 'backup', []]);
  });
});
