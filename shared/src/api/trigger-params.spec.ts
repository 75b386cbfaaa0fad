import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIssues } from '../protocol';
import { type Triggers, TriggersSchema } from './triggers';
import type { JobParam } from './job-params';
import { triggerParamsProblems } from './trigger-params';
// Installs node:vm's time limit as the pattern test, as the Node entry does.
import './vm-pattern-test';

const REGION: JobParam = { name: 'REGION', enum: ['eu', 'us'] };
const TICKET: JobParam = { name: 'TICKET', required: true, pattern: '[A-Z]+-[0-9]+' };
const declared = new Map<string, JobParam[]>([
  ['deploy', [REGION, TICKET]],
  ['report', [{ ...REGION, default: 'eu' }]],
  ['plain', []],
]);

describe('triggerParamsProblems', () => {
  it('accepts values that fit the target, and plain names whatever the target declares', () => {
    const triggers = { onSuccess: ['deploy', { job: 'deploy', params: { REGION: 'us', TICKET: 'OPS-1' } }], onComplete: [{ job: 'report' }] };
    assert.deepEqual(triggerParamsProblems(triggers, declared), []);
  });

  it('names the field path and the problem: unknown parameter, enum and pattern mismatch, missing required', () => {
    const triggers: Triggers = {
      onSuccess: ['report', { job: 'deploy', params: { REGION: 'asia', TICKET: 'ops 1' } }],
      onFailure: [{ job: 'deploy', params: { REGION: 'eu' } }, { job: 'plain', params: { ZONE: 'a' } }],
      onComplete: [{ job: 'report', params: { ZONE: 'b' } }],
    };
    assert.deepEqual(triggerParamsProblems(triggers, declared), [
      'triggers.onSuccess.1.params.REGION: must be one of eu, us',
      'triggers.onSuccess.1.params.TICKET: must match the pattern [A-Z]+-[0-9]+',
      'triggers.onFailure.0.params.TICKET: required',
      "triggers.onFailure.1.params.ZONE: not a parameter of cron job 'plain' (it declares none)",
      "triggers.onComplete.0.params.ZONE: not a parameter of cron job 'report' (it has REGION)",
    ]);
  });

  it('leaves targets it does not know to the caller', () => {
    assert.deepEqual(triggerParamsProblems({ onSuccess: [{ job: 'elsewhere', params: { X: '1' } }] }, declared), []);
    assert.deepEqual(triggerParamsProblems(null, declared), []);
  });
});

describe('TriggersSchema', () => {
  const problems = (v: unknown) => {
    const r = TriggersSchema.safeParse(v);
    return r.success ? null : describeIssues(r.error, 'triggers');
  };

  it('takes names and { job, params } side by side, as given', () => {
    const t = { onSuccess: ['b', { job: 'c', params: { REGION: 'eu' } }, { job: 'd' }] };
    assert.deepEqual(TriggersSchema.parse(t), t);
  });

  it('names the entry and field of a malformed one', () => {
    assert.equal(problems({ onSuccess: [{ job: 'c', params: { RETRIES: 3 } }] }), 'onSuccess.0.params.RETRIES: must be a string');
    assert.equal(problems({ onSuccess: [{ job: 'c', params: { X: 'x'.repeat(4097) } }] }), 'onSuccess.0.params.X: must be at most 4096 bytes (got 4097)');
    assert.equal(problems({ onSuccess: ['b', { job: 'c', region: 'eu' }] }), 'onSuccess.1.region: unknown field');
    assert.equal(problems({ onFailure: [{ params: {} }] }), 'onFailure.0: must be a cron job name or { job, params? }');
    assert.equal(problems({ onFailure: [7] }), 'onFailure.0: must be a cron job name or { job, params? }');
  });

  it('refuses a job named twice in one list, in either form', () => {
    assert.equal(problems({ onComplete: ['c', { job: 'c', params: { REGION: 'us' } }] }), "onComplete.1: names the cron job 'c' twice");
  });
});
