import { describeIssues, isBuiltinRunner, PluginSpecSchema, RunnerSpecSchemas } from '@cronfleet/shared';
import { z } from 'zod';
import { DomainError } from './errors';

/**
 * Checks a `spec` against its runner's schema; errors name `spec.<field>`. A built-in runner's spec
 * gets its strict schema (defaults filled in); any other runner is a plugin's, known only to the
 * workers that load it: its spec is checked here only as a JSON object within the size and depth
 * bounds, and by the plugin itself on the worker.
 */
export function validSpec(runner: string, spec: unknown): Record<string, unknown> {
  const schema: z.ZodType = isBuiltinRunner(runner) ? RunnerSpecSchemas[runner] : PluginSpecSchema;
  const r = schema.safeParse(spec);
  if (!r.success) {
    const prefixed = r.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }));
    throw new DomainError('ValidationFailed', describeIssues(new z.ZodError(prefixed), 'spec'));
  }
  return r.data as Record<string, unknown>;
}
