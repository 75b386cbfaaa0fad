import { checkDefinition as checkWorkflow, isDefinitionError, type WorkflowDefinition } from '@cronfleet/shared';
import { DomainError } from '../common/errors';

/**
 * A workflow definition as it is stored (shared's checkDefinition, which `cronfleet workflows apply`
 * runs too), or a 400 naming every problem: InvalidSchedule when the schedule or time zone is all
 * that is wrong, else ValidationFailed.
 */
export function checkDefinition(value: unknown): WorkflowDefinition {
  try {
    return checkWorkflow(value);
  } catch (e) {
    if (isDefinitionError(e)) throw new DomainError(e.kind === 'invalid-schedule' ? 'InvalidSchedule' : 'ValidationFailed', e.message);
    throw e;
  }
}
