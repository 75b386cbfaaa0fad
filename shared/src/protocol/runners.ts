import { z } from 'zod';

/** Environment variables given to a task: name → value. */
export const EnvSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name'),
  z.string().max(32_768),
);

/** The message of a required string field: `required` when absent, else what it must be. */
const text = (what = 'a string') => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `must be ${what}`) });

/**
 * `command` runner: runs `command` with `args`, without a shell unless `shell: true`, in its own
 * process group. Stop and kill act on the whole group, so children the command spawned go too.
 */
export const CommandSpecSchema = z
  .object({
    /** Executable name (looked up on the worker's PATH) or absolute path; with `shell: true`, a shell command line. */
    command: z.string(text()).min(1, 'must not be empty').max(4096),
    /** Arguments, passed as they are (no splitting, no globbing); with `shell: true`, the script's $1, $2, …. Default `[]`. */
    args: z.array(z.string().max(32_768)).max(1000).default([]),
    /** Extra environment, merged over the worker's own and the job's `env`. Default `{}`. */
    env: EnvSchema.default({}),
    /** Working directory on the worker host. Default: the worker's working directory. */
    cwd: z.string().min(1).max(4096).optional(),
    /** Run `command` through `/bin/sh -c` (with `args` as $1...). Default false. */
    shell: z.boolean().default(false),
  })
  .strict();
export type CommandSpec = z.infer<typeof CommandSpecSchema>;

/** `script` runner: `content` written to a private temp file (0700, removed afterwards) and run by `interpreter`. */
export const ScriptSpecSchema = z
  .object({
    /** `sh`, `bash`, `python3`, `node`, or an absolute path to an interpreter. */
    interpreter: z.union([z.enum(['sh', 'bash', 'python3', 'node']), z.string().regex(/^\//, "must be 'sh', 'bash', 'python3', 'node' or an absolute path").max(4096)]),
    /** The script itself. */
    content: z.string(text()).max(1024 * 1024, 'must be at most 1 MiB'),
    args: z.array(z.string().max(32_768)).max(1000).default([]),
    env: EnvSchema.default({}),
    cwd: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type ScriptSpec = z.infer<typeof ScriptSpecSchema>;

/** `docker` runner: one container per task, removed afterwards; stop and kill are `docker stop` and `docker kill`. */
export const DockerSpecSchema = z
  .object({
    /** Image reference, e.g. `alpine:3.20` or `registry.example/app@sha256:...`. */
    image: z.string(text()).min(1, 'must not be empty').max(512),
    /** Command and arguments; empty: the image's own. Default `[]`. */
    command: z.array(z.string().max(32_768)).max(1000).default([]),
    env: EnvSchema.default({}),
    workdir: z.string().min(1).max(4096).optional(),
    /** `user`, `user:group`, `uid` or `uid:gid` inside the container. */
    user: z.string().min(1).max(256).optional(),
    /** Memory limit in MiB (4 .. 1,048,576). */
    memoryMb: z.number().int('must be whole MiB').min(4, 'must be at least 4').max(1_048_576).optional(),
    /** CPU limit in cores, e.g. 0.5. */
    cpus: z.number().positive('must be positive').max(1024).optional(),
    /** Docker network mode: `none`, `host`, `bridge` or a network name. Default: the engine's default. */
    network: z.string().min(1).max(256).optional(),
    /** When to pull the image. Default `ifNotPresent`. */
    pull: z.enum(['ifNotPresent', 'always', 'never'], { error: "must be 'ifNotPresent', 'always' or 'never'" }).default('ifNotPresent'),
    /** Bind mounts `host-path:container-path[:ro]`. */
    volumes: z.array(z.string().regex(/^\/[^:]*:\/[^:]*(:ro|:rw)?$/, "must be '/host/path:/container/path' with an optional ':ro'").max(8192)).max(100).default([]),
  })
  .strict();
export type DockerSpec = z.infer<typeof DockerSpecSchema>;

/** `http` runner: one request; success when the response status is expected; stop aborts it. */
export const HttpSpecSchema = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], { error: 'must be GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS' }).default('GET'),
    url: z
      .string()
      .max(8192)
      .refine((u) => {
        try {
          return ['http:', 'https:'].includes(new URL(u).protocol);
        } catch {
          return false;
        }
      }, 'must be an http:// or https:// URL'),
    headers: z.record(z.string().min(1).max(256), z.string().max(16_384)).default({}),
    /** Request body, sent as is. */
    body: z.string().max(1024 * 1024, 'must be at most 1 MiB').optional(),
    /** Abort the request after this many seconds (default: the task's timeout, else 300). */
    timeoutSeconds: z.number().int('must be whole seconds').min(1).max(86_400).optional(),
    /** Statuses that count as success. Default: 200-299. */
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).max(500).optional(),
    followRedirects: z.boolean().default(true),
  })
  .strict();
export type HttpSpec = z.infer<typeof HttpSpecSchema>;

/** Runner names with the schema of their `spec`. */
export const RunnerSpecSchemas = {
  command: CommandSpecSchema,
  script: ScriptSpecSchema,
  docker: DockerSpecSchema,
  http: HttpSpecSchema,
} as const;
/** A built-in runner: one whose spec the server and the worker both know. */
export type RunnerName = keyof typeof RunnerSpecSchemas;
export const RUNNER_NAMES = Object.keys(RunnerSpecSchemas) as RunnerName[];
export const RunnerNameSchema = z.enum(RUNNER_NAMES as [RunnerName, ...RunnerName[]]);

/** True for the built-in runners' names (`command`, `script`, `docker`, `http`). */
export function isBuiltinRunner(name: string): name is RunnerName {
  return Object.prototype.hasOwnProperty.call(RunnerSpecSchemas, name);
}

/**
 * Names a runner may have: the built-ins', and any a worker's plugin takes. A lowercase letter, then
 * up to 31 lowercase letters, digits or `-` (32 characters: the width of the `runner` columns).
 */
export const RUNNER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const RUNNER_NAME_RULE = "a lowercase letter, then up to 31 lowercase letters, digits or '-'";

/**
 * The runner a job or task names: a built-in one (its spec then checked by its schema) or a plugin
 * runner (any other name of the pattern; its spec is checked by the plugin, on the worker).
 */
export const AnyRunnerNameSchema = z
  .string({ error: 'must be a string' })
  .regex(RUNNER_NAME_PATTERN, `must be a built-in runner (${RUNNER_NAMES.join(', ')}) or a plugin runner's name: ${RUNNER_NAME_RULE}`)
  .meta({
    description: `a built-in runner (${RUNNER_NAMES.join(', ')}), or the name of a plugin runner a worker offers (${RUNNER_NAME_RULE}); a task waits until an online worker offers its runner`,
    examples: ['command', 'sleep'],
  });

/** Most bytes of a plugin runner's spec, serialized as JSON (UTF-8). */
export const MAX_PLUGIN_SPEC_BYTES = 64 * 1024;
/** Most levels of objects and arrays in a plugin runner's spec (the spec itself is level 1). */
export const MAX_PLUGIN_SPEC_DEPTH = 32;

/**
 * A plugin runner's `spec`: a JSON object, free-form for the server and the protocol, bounded in
 * size ({@link MAX_PLUGIN_SPEC_BYTES}) and depth ({@link MAX_PLUGIN_SPEC_DEPTH}). The plugin checks
 * its fields itself (its `validate(spec)`), on the worker.
 */
export const PluginSpecSchema = z.record(z.string(), z.unknown(), { error: 'must be an object' }).superRefine((spec, ctx) => {
  const problem = jsonBoundsProblem(spec);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export type PluginSpec = Record<string, unknown>;

const utf8 = new TextEncoder();

/** Why `value` is not a JSON value within the plugin spec bounds, or null. Iterative: a deep value cannot overflow the stack. */
function jsonBoundsProblem(value: unknown): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_PLUGIN_SPEC_DEPTH) return `must nest objects and arrays at most ${MAX_PLUGIN_SPEC_DEPTH} levels deep`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    return `must be JSON (${(e as Error).message})`;
  }
  const bytes = utf8.encode(json ?? '').byteLength;
  if (bytes > MAX_PLUGIN_SPEC_BYTES) return `must be at most ${MAX_PLUGIN_SPEC_BYTES} bytes as JSON, got ${bytes}`;
  return null;
}

/** A built-in runner with its spec, validated as one value. */
export const BuiltinRunnerWithSpecSchema = z.discriminatedUnion('runner', [
  z.object({ runner: z.literal('command'), spec: CommandSpecSchema }),
  z.object({ runner: z.literal('script'), spec: ScriptSpecSchema }),
  z.object({ runner: z.literal('docker'), spec: DockerSpecSchema }),
  z.object({ runner: z.literal('http'), spec: HttpSpecSchema }),
]);
export type BuiltinRunnerWithSpec = z.infer<typeof BuiltinRunnerWithSpecSchema>;

/**
 * A plugin runner with its spec. `runner` is typed `string` (TypeScript cannot say "any name but
 * the built-ins'"), so switching on a built-in's name does not narrow `spec`: narrow a TaskRun with
 * `isBuiltinTask` first.
 */
export interface PluginRunnerWithSpec {
  runner: string;
  spec: PluginSpec;
}
export type RunnerWithSpec = BuiltinRunnerWithSpec | PluginRunnerWithSpec;

/**
 * A runner with its spec, validated as one value: a built-in runner's spec by its strict schema, any
 * other name of {@link RUNNER_NAME_PATTERN} as a plugin runner's (a bounded JSON object). Issues name
 * `runner` or `spec.<field>`. A worker that predates plugins parses only the built-ins; the server
 * never sends it another runner, since it names none in its hello.
 */
export const RunnerWithSpecSchema = z
  .object({ runner: AnyRunnerNameSchema, spec: z.unknown().optional() })
  .transform((v, ctx): RunnerWithSpec => {
    const schema: z.ZodType = isBuiltinRunner(v.runner) ? RunnerSpecSchemas[v.runner] : PluginSpecSchema;
    const r = schema.safeParse(v.spec);
    if (r.success) return { runner: v.runner, spec: r.data } as RunnerWithSpec;
    for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['spec', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  });
