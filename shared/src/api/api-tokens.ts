import { z } from 'zod';
import { NamespaceNameSchema } from '../protocol/namespaces';
import { ROLES } from './roles';
import { fromDecimal } from './decimal';

/** `:id` of `DELETE /tokens/:id`. */
export const TokenIdParamSchema = fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive'));

/** Most seconds a token may live: ten years. */
const MAX_EXPIRES_IN_SECONDS = 10 * 366 * 86_400;

export const CreateApiTokenSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').regex(/^[\w.@:-]+$/, 'may contain only letters, digits and . _ - @ :'),
    role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
    expiresInSeconds: z
      .number({ error: 'must be a number of seconds' })
      .int('must be whole seconds')
      .min(1, 'must be at least 1')
      .max(MAX_EXPIRES_IN_SECONDS, `must be at most ${MAX_EXPIRES_IN_SECONDS} (ten years)`)
      .optional()
      .meta({ description: 'the token stops working this many seconds from now; absent: never' }),
    namespace: NamespaceNameSchema.optional().meta({
      description: "the one namespace the token may see and act in; absent: the creating token's own (a cluster-wide admin then makes a cluster-wide token)",
    }),
  })
  .strict();
export type CreateApiToken = z.output<typeof CreateApiTokenSchema>;

const isoTime = z.iso.datetime();

export const ApiTokenViewSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  role: z.enum(ROLES),
  namespace: z.string().nullable().meta({ description: 'the one namespace it may act in; null: every namespace (cluster-wide)' }),
  hint: z.string().meta({ description: 'the first characters of the token, to recognise it' }),
  createdBy: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable().meta({ description: 'to the minute: refreshed at most once a minute' }),
  revokedAt: isoTime.nullable(),
});
export type ApiTokenView = z.output<typeof ApiTokenViewSchema>;

export const CreatedApiTokenSchema = ApiTokenViewSchema.extend({
  token: z.string().meta({ description: 'the secret, `cft_…`: shown this once, only its hash is stored' }),
});
export type CreatedApiToken = z.output<typeof CreatedApiTokenSchema>;
