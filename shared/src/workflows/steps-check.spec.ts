import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSteps, type StepLinks } from './steps-check';

const step = (id: string, dependsOn: string[] = [], when: StepLinks['when'] = 'success'): StepLinks => ({ id, dependsOn, when });

describe('checkSteps', () => {
  it('accepts a diamond with a failure branch', () => {
    assert.deepEqual(checkSteps([step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c']), step('alert', ['d'], 'failure')]), []);
  });

  it('names duplicates, unknown and self dependencies, and a `when` without upstream', () => {
    assert.deepEqual(checkSteps([step('a'), step('a'), step('b', ['zzz', 'b']), step('c', [], 'failure')]), [
      { index: 1, field: 'id', message: "'a' is already the id of step 0" },
      { index: 2, field: 'dependsOn', item: 0, message: "no step has the id 'zzz'" },
      { index: 2, field: 'dependsOn', item: 1, message: "step 'b' depends on itself" },
      { index: 3, field: 'when', message: "'failure' needs dependsOn: it is about upstream steps" },
    ]);
  });

  it('names the cycle', () => {
    const problems = checkSteps([step('extract', ['load']), step('transform', ['extract']), step('load', ['transform'])]);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /cycle: extract → transform → load → extract/);
  });
});
