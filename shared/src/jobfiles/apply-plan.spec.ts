import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJobView } from '../api/views';
import { applyOrder, planStep } from './apply-plan';
import { isDefinitionError } from './definition-error';
import { validateJobs, type JobDefinition } from './job-file';
import { sameValue } from './same-value';

const define = (fields: Record<string, unknown>): JobDefinition =>
  validateJobs([{ name: 'backup', schedule: '0 2 * * *', runner: 'command', spec: { command: 'backup.sh' }, ...fields }], 'f')[0];

/** The job as the API would show it after creating `def`. */
const stored = (def: JobDefinition, over: Partial<CronJobView> = {}): CronJobView => {
  const { secretEnv, ...job } = def.job;
  return {
    ...job,
    schedule: typeof job.schedule === 'string' ? job.schedule : '0 2 * * *',
    id: 7,
    secretEnvKeys: Object.keys(secretEnv ?? {}),
    nextRunAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  } as CronJobView;
};

describe('apply plan', () => {
  it('creates a job no job on the server has the name of, sending the fields as the file gives them', () => {
    const def = define({ timezone: 'Europe/Berlin' });
    const step = planStep(def, undefined);
    assert.equal(step.action, 'create');
    assert.deepEqual(step.action === 'create' && step.body, def.given);
  });

  it('leaves a job alone when every field matches, whatever the key order and the defaults the file omits', () => {
    const def = define({ retry: { maxRetries: 2 } });
    const view = stored(def, { spec: { shell: false, env: {}, args: [], command: 'backup.sh' } });
    assert.deepEqual(planStep(def, view), { action: 'unchanged', def, id: 7 });
  });

  it('patches only the fields that differ, with the values the server stores', () => {
    const def = define({ schedule: { type: 'daily', schedule: '03:00' }, priority: 5 });
    const step = planStep(def, stored(define({})));
    assert.equal(step.action, 'update');
    if (step.action !== 'update') return;
    assert.deepEqual(step.changed, ['schedule', 'priority']);
    assert.deepEqual(step.patch, { schedule: '0 3 * * *', priority: 5 });
  });

  it('resets a field the file no longer gives to its default', () => {
    const step = planStep(define({}), stored(define({ retry: { maxRetries: 3 }, timeoutSeconds: 60 })));
    assert.equal(step.action, 'update');
    assert.deepEqual(step.action === 'update' && step.patch, { timeoutSeconds: null, retry: null });
  });

  it('compares enabled only when the file gives it, so a paused job stays paused', () => {
    assert.equal(planStep(define({}), stored(define({}), { enabled: false })).action, 'unchanged');
    const step = planStep(define({ enabled: true }), stored(define({}), { enabled: false }));
    assert.deepEqual(step.action === 'update' && step.patch, { enabled: true });
  });

  it('always sends a secretEnv the file gives, since secret values cannot be read back, and leaves secrets alone otherwise', () => {
    const withSecret = define({ secretEnv: { TOKEN: 'abcdef' } });
    const step = planStep(withSecret, stored(withSecret));
    assert.deepEqual(step.action === 'update' && step.patch, { secretEnv: { TOKEN: 'abcdef' } });
    assert.equal(planStep(define({}), stored(withSecret)).action, 'unchanged');
    assert.equal(planStep(define({ secretEnv: null }), stored(define({}))).action, 'unchanged');
    assert.equal(planStep(define({ secretEnv: {} }), stored(withSecret)).action, 'update');
  });

  it('sends the spec along with a new runner', () => {
    const def = define({ runner: 'http', spec: { url: 'https://example.com/' } });
    const step = planStep(def, stored(define({})));
    assert.ok(step.action === 'update' && step.changed.includes('runner') && step.changed.includes('spec'));
  });

  it('compares JSON values deeply, ignoring key order, with undefined as null', () => {
    assert.ok(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.ok(sameValue(undefined, null));
    assert.ok(!sameValue([1, 2], [2, 1]));
    assert.ok(!sameValue({ a: 1 }, { a: '1' }));
  });

  it("leaves secrets alone when the file keeps every one the server holds with '${keep}', and patches the rest", () => {
    const def = define({ secretEnv: { TOKEN: '${keep}', DB: '${keep}' }, priority: 3 });
    const step = planStep(def, stored(define({ secretEnv: { TOKEN: 'x', DB: 'y' } })));
    assert.deepEqual(step.action === 'update' && step.patch, { priority: 3 });
    assert.equal(planStep(define({ secretEnv: { TOKEN: '${keep}' } }), stored(define({ secretEnv: { TOKEN: 'x' } }))).action, 'unchanged');
  });

  it("refuses '${keep}' it cannot honour, naming the job and the variable", () => {
    const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => isDefinitionError(e) && e.kind === 'invalid' && re.test(e.message));
    const keep = define({ secretEnv: { TOKEN: '${keep}' } });
    refused(() => planStep(keep, undefined), /^job 'backup' \(#1\): secretEnv\.TOKEN: '\$\{keep\}' keeps the value the server holds, but there is no job 'backup' on the server/);
    refused(() => planStep(keep, stored(define({}))), /secretEnv\.TOKEN: .*has no secret variable TOKEN/);
    refused(() => planStep(define({ secretEnv: { TOKEN: '${keep}', NEW: 'n' } }), stored(keep)), /secretEnv\.TOKEN: .*other secret variables change/);
    refused(() => planStep(keep, stored(define({ secretEnv: { TOKEN: 'x', OLD: 'o' } }))), /the server holds OLD, TOKEN and the file only TOKEN/);
  });

  it('compares webhook rules by their header names, sends header values the file gives, and keeps them with ${keep}', () => {
    const rule = (headers?: Record<string, string>) => define({ notify: [{ on: ['failure'], webhook: { url: 'https://h.example/x', ...(headers ? { headers } : {}) } }] });
    const onServer = (headers?: Record<string, string>) => stored(rule(headers), { notify: [{ on: ['failure'], webhook: { url: 'https://h.example/x', headerNames: Object.keys(headers ?? {}) } }] });
    assert.equal(planStep(rule(), onServer()).action, 'unchanged');
    assert.equal(planStep(rule({ Authorization: '${keep}' }), onServer({ Authorization: 'v' })).action, 'unchanged');
    assert.deepEqual(planStep(rule({ Authorization: 'new' }), onServer({ Authorization: 'v' })).action, 'update');
    assert.throws(() => planStep(rule({ Authorization: '${keep}' }), onServer()), /notify\[0\]\.webhook\.headers\.Authorization: '\$\{keep\}'/);
  });

  it('sends the namespace of the file or of --namespace with a create, and none without one', () => {
    const inTeam = validateJobs([{ name: 'backup', namespace: 'team-a', schedule: '@daily', runner: 'command', spec: { command: 'b' } }], 'f')[0];
    const step = planStep(inTeam, undefined);
    assert.deepEqual(step.action === 'create' && step.body, { name: 'backup', schedule: '@daily', runner: 'command', spec: { command: 'b' }, namespace: 'team-a' });
    const plain = planStep(define({}), undefined);
    assert.ok(plain.action === 'create' && !('namespace' in plain.body));
  });

  it("leaves a job alone whose file names its namespace, and one whose file names none", () => {
    assert.equal(planStep(define({ namespace: 'team-a' }), stored(define({}), { namespace: 'team-a' })).action, 'unchanged');
    assert.equal(planStep(define({}), stored(define({}), { namespace: 'team-a' })).action, 'unchanged');
  });

  it('never sends a namespace in an update: a job cannot move', () => {
    const inTeam = validateJobs([{ name: 'backup', schedule: '0 2 * * *', runner: 'command', spec: { command: 'backup.sh' }, priority: 4 }], 'f', 'team-a')[0];
    const step = planStep(inTeam, stored(define({}), { namespace: 'team-a' }));
    assert.deepEqual(step.action === 'update' && step.patch, { priority: 4 });
  });

  it('applies namespace by namespace, a triggered job before the one triggering it within each', () => {
    const job = (name: string, namespace: string, triggers?: string[]) => ({ name, namespace, schedule: '@daily', runner: 'command', spec: { command: 'x' }, ...(triggers ? { triggers: { onSuccess: triggers } } : {}) });
    const defs = validateJobs([job('first', 'a', ['second']), job('first', 'b', ['second']), job('second', 'a'), job('second', 'b')], 'f');
    assert.deepEqual(applyOrder(defs).map((d) => `${d.namespace}/${d.name}`), ['a/second', 'a/first', 'b/second', 'b/first']);
  });
});
