import { describeIssues, RunnerName, RunnerSpecSchemas } from '@cronfleet/shared';
import { z } from 'zod';
import { DomainError } from './errors';

/** Checks a `spec` against its runner's schema; errors name `spec.<field>`. */
export function validSpec(runner: RunnerName, spec: unknown): Record<string, unknown> {
  const r = RunnerSpecSchemas[runner].safeParse(spec);
  if (!r.success) {
    const prefixed = r.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }));
    throw new DomainError('ValidationFailed', describeIssues(new z.ZodError(prefixed), 'spec'));
  }
  return r.data as Record<string, unknown>;
}
