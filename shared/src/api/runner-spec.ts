import { z } from 'zod';
import { isBuiltinRunner, PluginSpecSchema, RunnerSpecSchemas } from '../protocol/runners';
import { describeIssues } from '../protocol/validate';

/** A spec as its runner takes it (defaults filled in), or what is wrong with it, naming `spec.<field>`. */
export type SpecCheck = { ok: true; spec: Record<string, unknown> } | { ok: false; message: string };

/**
 * Checks a `spec` against its runner's schema; problems name `spec.<field>`. A built-in runner's spec
 * gets its strict schema (defaults filled in); any other runner is a plugin's, known only to the
 * workers that load it: its spec is checked here only as a JSON object within the size and depth
 * bounds, and by the plugin itself on the worker. The server answers a problem with a 400; job and
 * workflow files report it naming the job or step.
 */
export function checkSpec(runner: string, spec: unknown): SpecCheck {
  const schema: z.ZodType = isBuiltinRunner(runner) ? RunnerSpecSchemas[runner] : PluginSpecSchema;
  const r = schema.safeParse(spec);
  if (r.success) return { ok: true, spec: r.data as Record<string, unknown> };
  const prefixed = r.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }));
  return { ok: false, message: describeIssues(new z.ZodError(prefixed), 'spec') };
}
