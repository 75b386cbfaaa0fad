import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDefinition } from './check-definition';

const cmd = (script: string) => ({ runner: 'command', spec: { command: 'sh', args: ['-c', script] } });
const refused = (body: unknown): { code: string; message: string } => {
  try {
    checkDefinition(body);
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
};
const withSteps = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'etl', steps, ...extra });

describe('checkDefinition', () => {
  it('accepts a diamond with a group and a failure branch, filling in defaults and the specs as stored', () => {
    const def = checkDefinition(
      withSteps(
        [
          { id: 'a', ...cmd('echo a') },
          { id: 'b', dependsOn: ['a'], group: { forEach: ['x', 2, true], runner: 'command', spec: { command: 'echo' } }, succeedWhen: { atLeast: 2 }, maxParallel: 2 },
          { id: 'c', dependsOn: ['a'], group: { items: [cmd('true'), { runner: 'http', spec: { url: 'http://127.0.0.1:1/x' } }] } },
          { id: 'd', dependsOn: ['b', 'c'], ...cmd('echo d'), retry: { maxRetries: 2 } },
          { id: 'alert', dependsOn: ['d'], when: 'failure', ...cmd('echo alert') },
        ],
        { schedule: '  */5  * * * * ', timezone: 'Europe/Berlin' },
      ),
    );
    assert.equal(def.schedule, '*/5 * * * *', 'stored as cron jobs store it');
    assert.deepEqual(def.steps[0], { id: 'a', dependsOn: [], when: 'success', retry: null, timeoutSeconds: null, workerSelector: null, env: {}, runner: 'command', spec: { command: 'sh', args: ['-c', 'echo a'], env: {}, shell: false } });
    assert.deepEqual(def.steps[1], {
      id: 'b', dependsOn: ['a'], when: 'success', retry: null, timeoutSeconds: null, workerSelector: null, env: {},
      group: { forEach: ['x', 2, true], runner: 'command', spec: { command: 'echo', args: [], env: {}, shell: false } }, succeedWhen: { atLeast: 2 }, maxParallel: 2,
    });
    assert.deepEqual([(def.steps[2] as { succeedWhen: unknown }).succeedWhen, (def.steps[2] as { maxParallel: unknown }).maxParallel], ['all', null]);
    assert.equal(def.steps[3].retry?.backoff, 'exponential', "the retry policy's defaults");
    assert.equal(checkDefinition(withSteps([{ id: 'a', ...cmd('true') }])).schedule, null);
  });

  it('names the step, the field and the dependsOn entry as the definition writes them', () => {
    const steps = [{ id: 'a', ...cmd('true') }, { id: 'b', ...cmd('true') }, { id: 'c', dependsOn: ['a', 'x'], ...cmd('true') }];
    assert.deepEqual(refused(withSteps(steps)), { code: 'ValidationFailed', message: "steps[2].dependsOn[1]: no step has the id 'x'" });
    assert.equal(refused(withSteps([{ id: 'a', ...cmd('true') }, { id: 'a', ...cmd('true') }])).message, "steps[1].id: 'a' is already the id of step 0");
    assert.equal(refused(withSteps([{ id: 'a', dependsOn: ['a'], ...cmd('true') }])).message, "steps[0].dependsOn[0]: step 'a' depends on itself");
    assert.equal(refused(withSteps([{ id: 'a', when: 'failure', ...cmd('true') }])).message, "steps[0].when: 'failure' needs dependsOn: it is about upstream steps");
  });

  it('names a cycle by its steps', () => {
    const steps = [{ id: 'extract', dependsOn: ['load'], ...cmd('true') }, { id: 'transform', dependsOn: ['extract'], ...cmd('true') }, { id: 'load', dependsOn: ['transform'], ...cmd('true') }];
    assert.equal(refused(withSteps(steps)).message, 'steps[0].dependsOn: steps form a cycle: extract → transform → load → extract');
  });

  it("checks each spec against its runner, under the step's path", () => {
    assert.match(refused(withSteps([{ id: 'a', runner: 'http', spec: { url: 'ftp://x' } }])).message, /^steps\[0\]\.spec\.url: /);
    assert.match(refused(withSteps([{ id: 'g', group: { items: [cmd('true'), { runner: 'command', spec: {} }] } }])).message, /^steps\[0\]\.group\.items\[1\]\.spec\.command: /);
    assert.match(refused(withSteps([{ id: 'g', group: { forEach: [1], runner: 'docker', spec: { image: '' } } }])).message, /^steps\[0\]\.group\.spec\.image: /);
    assert.match(refused(withSteps([{ id: 'a', runner: 'SSH!', spec: {} }])).message, /^steps\[0\]\.runner: must be a built-in runner/);
  });

  it("takes any other runner name as a plugin runner's, its spec checked only as a bounded JSON object", () => {
    const def = checkDefinition(withSteps([{ id: 'a', runner: 'ssh', spec: { host: 'db-1', command: ['uptime'] } }]));
    const step = def.steps[0] as { runner: string; spec: unknown };
    assert.deepEqual([step.runner, step.spec], ['ssh', { host: 'db-1', command: ['uptime'] }]);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { deep };
    assert.equal(refused(withSteps([{ id: 'a', runner: 'ssh', spec: deep }])).message, 'steps[0].spec: must nest objects and arrays at most 32 levels deep');
  });

  it('says what a step must give: a task or a group, not both, and group fields only on groups', () => {
    assert.equal(refused(withSteps([{ id: 'a' }])).message, 'steps[0]: give runner and spec (one task), or group (several)');
    assert.match(refused(withSteps([{ id: 'a', ...cmd('true'), maxParallel: 2 }])).message, /^steps\[0\]\.maxParallel: only a group step/);
    assert.match(refused(withSteps([{ id: 'g', ...cmd('true'), group: { forEach: [1], ...cmd('true') } }])).message, /^steps\[0\]\.runner: a group step gives/);
    assert.match(refused(withSteps([{ id: 'g', group: {} }])).message, /^steps\[0\]\.group: give items/);
    assert.match(refused(withSteps([{ id: 'g', group: { items: [cmd('true')], forEach: [1] } }])).message, /^steps\[0\]\.group: give items or forEach, not both/);
    assert.match(refused(withSteps([{ id: 'g', group: { forEach: [1, 2] }, succeedWhen: 'any' }])).message, /^steps\[0\]\.group\.runner: required with forEach/);
    assert.equal(refused(withSteps([{ id: 'g', group: { forEach: [1, 2], ...cmd('true') }, succeedWhen: { atLeast: 3 } }])).message, 'steps[0].succeedWhen.atLeast: 3 is more than the 2 member(s) of the group');
  });

  it('refuses types, ranges and unknown fields with zod, in the same path form', () => {
    assert.equal(refused(withSteps([{ id: 'a', ...cmd('true'), retry: { maxRetries: -1 } }])).message, 'steps[0].retry.maxRetries: must be at least 0');
    assert.equal(refused(withSteps([{ id: 'a', ...cmd('true'), colour: 'red' }])).message, 'steps[0].colour: unknown field');
    assert.match(refused(withSteps([{ id: 'a b', ...cmd('true') }])).message, /^steps\[0\]\.id: must be 1-64 letters/);
    assert.equal(refused({ name: 'x', steps: [] }).message, 'steps: must list at least one step');
    assert.equal(refused(null).message, 'name: must be a string; steps: must be a list of steps');
  });

  it('refuses a schedule or time zone that does not parse, even without a schedule for the zone', () => {
    assert.deepEqual(refused(withSteps([{ id: 'a', ...cmd('true') }], { schedule: '61 * * * *' })), { code: 'InvalidSchedule', message: "schedule '61 * * * *': minute 61 is out of range 0-59" });
    assert.equal(refused(withSteps([{ id: 'a', ...cmd('true') }], { timezone: 'Mars/Olympus' })).code, 'InvalidSchedule');
  });

  it('reports every problem at once: the schedule, each step, the graph', () => {
    const r = refused(withSteps([{ id: 'a' }, { id: 'b', dependsOn: ['x'], runner: 'http', spec: { url: 'ftp://x' } }], { schedule: '@every 0s' }));
    assert.equal(r.code, 'ValidationFailed');
    assert.deepEqual(r.message.split('; ').map((m) => m.split(':')[0]), ['schedule \'@every 0s\'', 'steps[0]', 'steps[1].spec.url', 'steps[1].dependsOn[0]']);
  });
});

describe('checkDefinition: params', () => {
  const steps = [{ id: 'a', ...cmd('printf %s "$CRONFLEET_PARAM_X"') }];

  it("takes params as a job declares them, with a job's defaults filled in, and none when left out", () => {
    const def = checkDefinition(withSteps(steps, { params: [{ name: 'X', description: 'what to print', required: true }, { name: 'REGION', enum: ['eu', 'us'], default: 'eu' }, { name: 'TICKET', pattern: '[A-Z]+-[0-9]+' }] }));
    assert.deepEqual(def.params, [
      { name: 'X', description: 'what to print', required: true },
      { name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false },
      { name: 'TICKET', pattern: '[A-Z]+-[0-9]+', required: false },
    ]);
    assert.deepEqual(checkDefinition(withSteps(steps)).params, []);
  });

  it("refuses params a job's check refuses, naming the field as a workflow writes it", () => {
    assert.match(refused(withSteps(steps, { params: [{ name: 'x' }] })).message, /^params\[0\]\.name: must be 1-64 upper-case letters/);
    assert.match(refused(withSteps(steps, { params: [{ name: 'R', enum: ['eu'], default: 'us' }] })).message, /^params\[0\]\.default: must be one of eu/);
    assert.match(refused(withSteps(steps, { params: [{ name: 'T', pattern: '(' }] })).message, /^params\[0\]\.pattern: not a valid regular expression/);
    assert.match(refused(withSteps(steps, { params: [{ name: 'X' }, { name: 'X' }] })).message, /^params\[1\]\.name: names the param X twice/);
    assert.match(refused(withSteps(steps, { params: [{ name: 'X', pattern: 'a', enum: ['a'] }] })).message, /^params\[0\]\.enum: give either pattern or enum, not both/);
  });

  it("refuses a scheduled, enabled workflow whose required param has no default, and a step env hiding a param's variable", () => {
    const required = { params: [{ name: 'X', required: true }] };
    assert.match(refused(withSteps(steps, { ...required, schedule: '@daily' })).message, /^params\[0\]\.default: X is required and has no default/);
    assert.deepEqual(checkDefinition(withSteps(steps, { ...required, schedule: '@daily', enabled: false })).params, [{ name: 'X', required: true }]);
    assert.deepEqual(checkDefinition(withSteps(steps, required)).schedule, null, 'on demand only');
    const hidden = refused(withSteps([{ id: 'a', ...cmd('true'), env: { CRONFLEET_PARAM_X: 'fixed' } }], required));
    assert.equal(hidden.message, 'steps[0].env.CRONFLEET_PARAM_X: the param X sets this variable on every run; remove it from steps[0].env');
  });
});
