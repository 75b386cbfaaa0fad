import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultParams, type JobParam, paramEnv, paramsFitProblem, patternMatches, resolveParams, valueProblem } from './job-params';
import { ParamsSchema } from './params';
// Installs node:vm's time limit as the pattern test, as the Node entry does.
import { vmPatternTest } from './vm-pattern-test';
import { describeIssues } from '../protocol';

const REGION: JobParam = { name: 'REGION', enum: ['eu', 'us'], default: 'eu' };
const TICKET: JobParam = { name: 'TICKET', required: true, pattern: '[A-Z]+-[0-9]+' };
const NOTE: JobParam = { name: 'NOTE' };

describe('resolveParams', () => {
  it('fills in defaults and leaves a param without value or default unset', () => {
    assert.deepEqual(resolveParams([REGION, TICKET, NOTE], { TICKET: 'OPS-12' }), { ok: true, values: { REGION: 'eu', TICKET: 'OPS-12' } });
  });

  it('takes a given value over the default, also an empty one', () => {
    assert.deepEqual(resolveParams([REGION, NOTE], { REGION: 'us', NOTE: '' }), { ok: true, values: { REGION: 'us', NOTE: '' } });
  });

  it('names an unknown param and the ones the job has', () => {
    assert.deepEqual(resolveParams([REGION], { ZONE: 'a' }), { ok: false, problems: ['params.ZONE: not a parameter of this job (it has REGION)'] });
    assert.deepEqual(resolveParams([], { ZONE: 'a' }), { ok: false, problems: ['params.ZONE: not a parameter of this job (it declares none)'] });
  });

  it('refuses a missing required param, an enum mismatch and a pattern mismatch, each by name', () => {
    assert.deepEqual(resolveParams([REGION, TICKET], { REGION: 'asia' }), {
      ok: false,
      problems: ['params.REGION: must be one of eu, us', 'params.TICKET: required'],
    });
    assert.deepEqual(resolveParams([TICKET], { TICKET: 'OPS-12; rm -rf /' }), { ok: false, problems: ['params.TICKET: must match the pattern [A-Z]+-[0-9]+'] });
  });

  it('matches a pattern against the whole value, not a part of it', () => {
    assert.equal(valueProblem({ pattern: 'a|b' }, 'ab'), 'must match the pattern a|b');
    assert.equal(valueProblem({ pattern: 'a|b' }, 'b'), null);
  });

  it('refuses a value over 4 KiB in UTF-8 and one with a NUL character', () => {
    assert.equal(valueProblem({}, 'é'.repeat(2048)), null);
    assert.equal(valueProblem({}, 'é'.repeat(2049)), 'must be at most 4096 bytes (got 4098)');
    assert.equal(valueProblem({}, 'a\0b'), 'must not contain NUL characters');
  });

  it('stops a pattern that backtracks without end and says so instead of holding the server', () => {
    assert.equal(vmPatternTest('(a+)+b', `${'a'.repeat(40)}c`), 'timeout');
    assert.equal(patternMatches('(a+)+b', `${'a'.repeat(40)}c`), 'timeout');
    assert.equal(
      valueProblem({ pattern: '(a+)+b' }, `${'a'.repeat(40)}c`),
      'matching the pattern (a+)+b took more than 100 ms; give a shorter value or ask an admin to simplify the pattern',
    );
  });
});

describe('paramEnv and defaultParams', () => {
  it('names each value CRONFLEET_PARAM_<NAME> and keeps it as it is', () => {
    assert.deepEqual(paramEnv({ REGION: 'eu', CMD: '$(id)' }), { CRONFLEET_PARAM_REGION: 'eu', CRONFLEET_PARAM_CMD: '$(id)' });
  });

  it('gives a scheduled run the defaults only', () => {
    assert.deepEqual(defaultParams([REGION, TICKET, NOTE]), { REGION: 'eu' });
    assert.deepEqual(defaultParams(null), {});
  });
});

describe('ParamsSchema', () => {
  const problems = (v: unknown) => {
    const r = ParamsSchema.safeParse(v);
    return r.success ? null : describeIssues(r.error, 'params');
  };

  it('accepts a param list and marks params not required unless they say so', () => {
    const r = ParamsSchema.parse([{ name: 'REGION', enum: ['eu', 'us'], default: 'eu' }, { name: 'X_1', pattern: '\\d+' }]);
    assert.deepEqual(r, [{ name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false }, { name: 'X_1', pattern: '\\d+', required: false }]);
  });

  it('refuses names that are not upper-case environment names, and a name given twice', () => {
    assert.match(problems([{ name: 'region' }]) ?? '', /^0\.name: must be 1-64 upper-case letters/);
    assert.match(problems([{ name: 'A'.repeat(65) }]) ?? '', /^0\.name:/);
    assert.equal(problems([{ name: 'A' }, { name: 'A' }]), '1.name: names the param A twice');
  });

  it('refuses a default that its own enum or pattern would refuse, and stops a pattern that backtracks without end on it', () => {
    assert.equal(problems([{ name: 'R', enum: ['eu'], default: 'us' }]), '0.default: must be one of eu');
    assert.equal(problems([{ name: 'N', pattern: '[0-9]+', default: 'x' }]), '0.default: must match the pattern [0-9]+');
    assert.match(problems([{ name: 'S', pattern: '(a+)+b', default: `${'a'.repeat(40)}c` }]) ?? '', /^0\.default: matching the pattern \(a\+\)\+b took more than 100 ms;/);
  });

  it('refuses an invalid or too long pattern, an empty enum, both at once, and more than 20 params', () => {
    assert.match(problems([{ name: 'P', pattern: '(' }]) ?? '', /^0\.pattern: not a valid regular expression/);
    assert.match(problems([{ name: 'P', pattern: 'a'.repeat(513) }]) ?? '', /^0\.pattern: must be at most 512 characters/);
    assert.equal(problems([{ name: 'E', enum: [] }]), '0.enum: must list at least one value');
    assert.equal(problems([{ name: 'B', enum: ['a'], pattern: 'a' }]), '0.enum: give either pattern or enum, not both');
    assert.equal(problems(Array.from({ length: 21 }, (_, i) => ({ name: `P${i}` }))), 'params: must declare at most 20 params');
    assert.equal(problems([{ name: 'U', type: 'string' }]), '0.type: unknown field');
  });
});

describe('paramsFitProblem', () => {
  const job = (over: Partial<Parameters<typeof paramsFitProblem>[0]>) => ({ params: [REGION, TICKET], enabled: false, env: null, spec: { command: 'true' }, secretEnvKeys: null, ...over });

  it('lets a disabled job have a required param without default, and refuses it for an enabled job, naming it', () => {
    assert.equal(paramsFitProblem(job({})), null);
    assert.match(paramsFitProblem(job({ enabled: true })) ?? '', /^params\.1\.default: TICKET is required and has no default/);
    assert.equal(paramsFitProblem(job({ enabled: true, params: [REGION, { ...TICKET, default: 'OPS-1' }] })), null);
  });

  it("refuses an env, spec env or secret that would hide a param's variable", () => {
    assert.equal(paramsFitProblem(job({ env: { CRONFLEET_PARAM_REGION: 'x' } })), 'env.CRONFLEET_PARAM_REGION: the param REGION sets this variable on every run; remove it from env');
    assert.match(paramsFitProblem(job({ spec: { command: 'true', env: { CRONFLEET_PARAM_TICKET: 'x' } } })) ?? '', /^spec\.env\.CRONFLEET_PARAM_TICKET: /);
    assert.match(paramsFitProblem(job({ secretEnvKeys: ['CRONFLEET_PARAM_REGION'] })) ?? '', /^secretEnv\.CRONFLEET_PARAM_REGION: /);
    assert.equal(paramsFitProblem(job({ env: { CRONFLEET_PARAM_OTHER: 'x' } })), null);
  });
});
