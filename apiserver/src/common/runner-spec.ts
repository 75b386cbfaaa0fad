import { checkSpec } from '@cronfleet/shared';
import { DomainError } from './errors';

/**
 * A `spec` as its runner takes it (shared's checkSpec: defaults filled in), or a 400 ValidationFailed
 * naming `spec.<field>`.
 */
export function validSpec(runner: string, spec: unknown): Record<string, unknown> {
  const r = checkSpec(runner, spec);
  if (!r.ok) throw new DomainError('ValidationFailed', r.message);
  return r.spec;
}
