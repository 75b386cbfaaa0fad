import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowView } from '@cronfleet/shared';
import { CliError } from './cli-error';
import { readWorkflowFile, sameDefinition } from './workflow-file';

const one = 'name: etl\nschedule: "@daily"\nsteps:\n  - { id: a, runner: command, spec: { command: "true" } }\n';
const refusal = (text: string): { code: number; message: string } => {
  try {
    readWorkflowFile(text, 'wf.yaml');
  } catch (e) {
    assert.ok(e instanceof CliError);
    return { code: e.exitCode, message: e.message };
  }
  assert.fail('accepted');
};

describe('readWorkflowFile', () => {
  it('reads one workflow, a list, { workflows: [...] } and several documents, checked as the server checks them', () => {
    assert.deepEqual(readWorkflowFile(one, 'wf.yaml').map((e) => [e.position, e.def.name, e.def.steps[0].id]), [['#1', 'etl', 'a']]);
    const two = one.replace('etl', 'other');
    assert.equal(readWorkflowFile(`${one}---\n${two}`, 'wf.yaml').length, 2);
    assert.equal(readWorkflowFile(JSON.stringify({ workflows: [{ name: 'x', steps: [{ id: 'a', runner: 'command', spec: { command: 'true' } }] }] }), 'wf.json').length, 1);
  });

  it('ignores the read-only fields `workflows show -o yaml` prints', () => {
    const shown = `id: 3\nnextRunAt: "2026-01-01T00:00:00.000Z"\ncreatedAt: x\nupdatedAt: y\n${one}`;
    assert.equal(readWorkflowFile(shown, 'wf.yaml')[0].def.name, 'etl');
  });

  it("refuses a bad workflow naming it and the field (exit 1), a name given twice, and a file that is not one (exit 2)", () => {
    assert.deepEqual(refusal('name: etl\nsteps:\n  - { id: a, dependsOn: [b], runner: command, spec: { command: "true" } }\n'), { code: 1, message: "wf.yaml: workflow 'etl' (#1): steps[0].dependsOn[0]: no step has the id 'b'" });
    assert.match(refusal(`${one}---\n${one}`).message, /workflow 'etl' \(#2\): name: 'etl' is also the name of workflow #1/);
    assert.equal(refusal('{ name: [').code, 2);
    assert.equal(refusal('').code, 2);
  });
});

describe('sameDefinition', () => {
  it('compares what the server stores, whatever the order of keys', () => {
    const [{ def }] = readWorkflowFile(one, 'wf.yaml');
    const view = { id: 1, nextRunAt: null, createdAt: '', updatedAt: '', ...JSON.parse(JSON.stringify({ steps: def.steps, enabled: def.enabled, timezone: def.timezone, schedule: def.schedule, description: def.description, name: def.name })) } as WorkflowView;
    assert.ok(sameDefinition(def, view));
    assert.ok(!sameDefinition({ ...def, schedule: '@hourly' }, view));
  });
});

describe('workflow files with namespaces', () => {
  it("puts a workflow in its file's namespace, else in --namespace, and keeps it out of the definition", () => {
    const entries = readWorkflowFile(`namespace: team-a\n${one}---\n${one.replace('etl', 'load')}`, 'wf.yaml', 'team-b');
    assert.deepEqual(entries.map((e) => [e.def.name, e.namespace]), [['etl', 'team-a'], ['load', 'team-b']]);
    assert.ok(!('namespace' in entries[0].def));
    assert.equal(readWorkflowFile(one, 'wf.yaml')[0].namespace, undefined);
  });

  it('takes one name in two namespaces, refuses it twice in one, and refuses a bad namespace naming the field', () => {
    assert.equal(readWorkflowFile(`namespace: team-a\n${one}---\n${one}`, 'wf.yaml').length, 2);
    assert.match(refusal(`namespace: team-a\n${one}---\nnamespace: team-a\n${one}`).message, /workflow 'etl' \(#2\): name: 'etl' is also the name of workflow #1 in namespace 'team-a'/);
    assert.deepEqual(refusal(`namespace: "-x"\n${one}`), { code: 1, message: "wf.yaml: workflow 'etl' (#1): namespace: must be 1-63 lower-case letters, digits or inner hyphens (a DNS label), e.g. team-a" });
  });
});
