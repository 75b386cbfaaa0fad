import { z } from 'zod';
import { fromDecimal } from './decimal';

const instant = (what: string) => z.iso.datetime({ offset: true, error: `must be an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z (${what})` }).transform((s) => new Date(s));

export const AuditQuerySchema = z
  .object({
    actor: z.string().min(1).max(100).optional().meta({ description: "a token's name, or `admin` for the bootstrap token" }),
    since: instant('entries at or after').optional(),
    until: instant('entries before').optional(),
    limit: fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000')).default(100),
    cursor: z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be the nextCursor of the previous page (a whole number > 0)').optional(),
  })
  .strict();
export type AuditQuery = z.output<typeof AuditQuerySchema>;

export const AuditEntryViewSchema = z.object({
  id: z.number().int().positive(),
  at: z.iso.datetime(),
  actor: z.string().meta({ description: "the token's name, or `admin` (the bootstrap token)" }),
  tokenId: z.number().int().nullable(),
  role: z.string(),
  method: z.string(),
  path: z.string(),
  targetId: z.string().nullable().meta({ description: 'what a call answered 201 or 202 made (the new task, attempt, run, job, token…); else the id its path names' }),
  status: z.number().int().meta({ description: 'the HTTP status answered' }),
  ip: z.string(),
});
export type AuditEntryView = z.output<typeof AuditEntryViewSchema>;

export const AuditPageSchema = z.object({
  items: z.array(AuditEntryViewSchema),
  nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next (older) page; null on the last' }),
});
