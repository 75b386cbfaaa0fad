import { z } from 'zod';

/** Environment variables given to a task: name → value. */
export const EnvSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name'),
  z.string().max(32_768),
);

/**
 * `command` runner: runs `command` with `args`, without a shell, in its own process group.
 * Stop and kill act on the whole group, so children the command spawned go too.
 */
export const CommandSpecSchema = z
  .object({
    /** Executable name (looked up on the worker's PATH) or absolute path. */
    command: z.string().min(1, 'must not be empty').max(4096),
    /** Arguments, passed as they are: no shell splitting, no globbing. Default `[]`. */
    args: z.array(z.string().max(32_768)).max(1000).default([]),
    /** Extra environment, merged over the worker's own. Default `{}`. */
    env: EnvSchema.default({}),
    /** Working directory on the worker host. Default: the worker's working directory. */
    cwd: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type CommandSpec = z.infer<typeof CommandSpecSchema>;

/** Runner names with the schema of their `spec`. Later runners (script, docker, http) add an entry. */
export const RunnerSpecSchemas = {
  command: CommandSpecSchema,
} as const;
export type RunnerName = keyof typeof RunnerSpecSchemas;
export const RUNNER_NAMES = Object.keys(RunnerSpecSchemas) as RunnerName[];
export const RunnerNameSchema = z.enum(RUNNER_NAMES as [RunnerName, ...RunnerName[]]);

/** A runner with its spec, validated as one value. */
export const RunnerWithSpecSchema = z.discriminatedUnion('runner', [
  z.object({ runner: z.literal('command'), spec: CommandSpecSchema }),
]);
export type RunnerWithSpec = z.infer<typeof RunnerWithSpecSchema>;
