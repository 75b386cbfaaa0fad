import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobParam } from '../api/job-params';
import type { WorkflowStep } from '../api/workflow-definition';
import { workflowParamsFitProblem } from './workflow-params';

const common = { dependsOn: [], when: 'success' as const, retry: null, timeoutSeconds: null, workerSelector: null, env: {} };
const task = (id: string, over: Record<string, unknown> = {}): WorkflowStep => ({ ...common, id, runner: 'command', spec: { command: 'true', args: [], env: {} }, ...over }) as WorkflowStep;
const X: JobParam = { name: 'X', required: true };
const REGION: JobParam = { name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false };

describe('workflowParamsFitProblem', () => {
  it('accepts a workflow without params, and params no step hides', () => {
    assert.equal(workflowParamsFitProblem({ params: [], scheduled: true, steps: [task('a', { env: { CRONFLEET_PARAM_X: '1' } })] }), null);
    assert.equal(workflowParamsFitProblem({ params: [REGION], scheduled: true, steps: [task('a', { env: { REGION: 'x', CRONFLEET_PARAM_OTHER: 'y' } })] }), null);
  });

  it('refuses a required param without a default only where a scheduled run would need it', () => {
    assert.match(workflowParamsFitProblem({ params: [REGION, X], scheduled: true, steps: [task('a')] })!, /^params\[1\]\.default: X is required and has no default, but the workflow runs on its schedule/);
    assert.equal(workflowParamsFitProblem({ params: [REGION, X], scheduled: false, steps: [task('a')] }), null, 'on demand only: each run gives its value');
    assert.equal(workflowParamsFitProblem({ params: [{ ...X, default: 'd' }], scheduled: true, steps: [task('a')] }), null);
  });

  it("refuses a step env or spec env that sets a declared param's variable, naming the field", () => {
    const fit = (steps: WorkflowStep[]) => workflowParamsFitProblem({ params: [REGION], scheduled: false, steps });
    assert.equal(fit([task('a'), task('b', { env: { CRONFLEET_PARAM_REGION: 'us' } })]), 'steps[1].env.CRONFLEET_PARAM_REGION: the param REGION sets this variable on every run; remove it from steps[1].env');
    assert.match(fit([task('a', { spec: { command: 'true', env: { CRONFLEET_PARAM_REGION: 'us' } } })])!, /^steps\[0\]\.spec\.env\.CRONFLEET_PARAM_REGION: /);
    const items = { ...common, id: 'g', group: { items: [{ runner: 'command', spec: { command: 'true' } }, { runner: 'command', spec: { command: 'true', env: { CRONFLEET_PARAM_REGION: 'us' } } }] }, succeedWhen: 'all', maxParallel: null } as WorkflowStep;
    assert.match(fit([items])!, /^steps\[0\]\.group\.items\[1\]\.spec\.env\.CRONFLEET_PARAM_REGION: /);
    const forEach = { ...common, id: 'g', group: { forEach: [1], runner: 'command', spec: { command: 'true', env: { CRONFLEET_PARAM_REGION: 'us' } } }, succeedWhen: 'all', maxParallel: null } as WorkflowStep;
    assert.match(fit([forEach])!, /^steps\[0\]\.group\.spec\.env\.CRONFLEET_PARAM_REGION: /);
  });
});
