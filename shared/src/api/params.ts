import { z } from 'zod';
import { compilePattern, type JobParam, MAX_ENUM_VALUES, MAX_PARAM_VALUE_BYTES, MAX_PARAMS, MAX_PATTERN_LENGTH, PARAM_NAME_PATTERN, utf8Bytes, valueProblem } from './job-params';

const value = z
  .string({ error: 'must be a string' })
  .refine((v) => utf8Bytes(v) <= MAX_PARAM_VALUE_BYTES, `must be at most ${MAX_PARAM_VALUE_BYTES} bytes`)
  .refine((v) => !v.includes('\0'), 'must not contain NUL characters');

/** One job parameter (see params/job-params.ts): checked whole, so that `default` fits `pattern`/`enum`. */
export const JobParamSchema = z
  .object(
    {
      name: z.string({ error: 'must be a string' }).regex(PARAM_NAME_PATTERN, 'must be 1-64 upper-case letters, digits or _, starting with a letter (it becomes CRONFLEET_PARAM_<name>)'),
      description: z.string({ error: 'must be a string' }).max(1000, 'must be at most 1000 characters').optional(),
      default: value.optional(),
      required: z.boolean({ error: 'must be true or false' }).default(false),
      pattern: z.string({ error: 'must be a regular expression' }).min(1, 'must not be empty').max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`).optional(),
      enum: z
        .array(value, { error: 'must be a list of values' })
        .min(1, 'must list at least one value')
        .max(MAX_ENUM_VALUES, `must list at most ${MAX_ENUM_VALUES} values`)
        .refine((a) => new Set(a).size === a.length, 'lists a value twice')
        .optional(),
    },
    { error: 'must be an object with name and optional description, default, required, pattern or enum' },
  )
  .strict()
  .superRefine((p, ctx) => {
    if (p.pattern !== undefined && p.enum !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['enum'], message: 'give either pattern or enum, not both' });
      return;
    }
    if (p.pattern !== undefined) {
      const re = compilePattern(p.pattern);
      if (typeof re === 'string') {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${re}` });
        return;
      }
    }
    if (p.default !== undefined) {
      const problem = valueProblem(p, p.default);
      if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
    }
  });

/** `params`: what a run may set, at most 20, each name once. */
export const ParamsSchema = z
  .array(JobParamSchema, { error: 'must be a list of { name, description?, default?, required?, pattern? | enum? }' })
  .max(MAX_PARAMS, `must declare at most ${MAX_PARAMS} params`)
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `names the param ${p.name} twice` });
      seen.add(p.name);
    });
  })
  .transform((a) => a as JobParam[]);

/** `params` of `POST /cronjobs/:id/run`: a value per param name, checked against the job's params by the service. */
export const RunParamsSchema = z
  .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of NAME: value' })
  .refine((o) => Object.keys(o).length <= MAX_PARAMS, `must give at most ${MAX_PARAMS} values`);

/** `params` as a cron job's or workflow's view shows them (for the OpenAPI document). */
export const ParamsViewSchema = z.array(
  z
    .object({
      name: z.string().meta({ description: 'given to the task as the environment variable CRONFLEET_PARAM_<name>' }),
      description: z.string().optional(),
      default: z.string().optional().meta({ description: 'the value of a run that gives none: scheduled runs always, chains whose trigger gives no value for it' }),
      required: z.boolean().meta({ description: 'run now must give a value (unless there is a default)' }),
      pattern: z.string().optional().meta({ description: 'a JavaScript regular expression (Unicode mode) the whole value must match' }),
      enum: z.array(z.string()).optional().meta({ description: 'the only values allowed' }),
    })
    .strict(),
);
