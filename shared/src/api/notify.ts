import { NOTIFY_EVENTS } from './notify-events';
import { z } from 'zod';

/** Headers the server sets itself on every webhook request. */
const RESERVED_HEADER = /^(x-cronfleet-.*|content-type|content-length|host|transfer-encoding|connection)$/i;

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, 'header names must be HTTP tokens (letters, digits, - and the like)')
  .refine((h) => !RESERVED_HEADER.test(h), { error: 'header names must not be X-Cronfleet-*, Content-Type, Content-Length, Host, Transfer-Encoding or Connection (the server sets those)' });

/** One entry of `notify`: which events, and where to send them (a webhook, an email, or both). */
export const NotifyRuleSchema = z
  .object({
    /**
     * Once per run (a due time's attempts): `failure`, `timeout`, `lost` (the run's last attempt, no
     * retry follows), `success`, `recovered` (a success after a run that did not end in one). Per
     * attempt: `attemptFailure` (every failed, timed-out or lost attempt, saying whether a retry follows).
     */
    on: z
      .array(z.enum(NOTIFY_EVENTS, { error: `must be one of ${NOTIFY_EVENTS.map((e) => `'${e}'`).join(', ')}` }), { error: 'must be an array of events' })
      .min(1, 'must name at least one event')
      .max(NOTIFY_EVENTS.length, `must have at most ${NOTIFY_EVENTS.length} events`)
      .transform((on) => [...new Set(on)]),
    /** POST of a signed JSON body. `headers` are sent as given (e.g. a bearer token); only their names are ever returned. */
    webhook: z
      .object({
        url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048, 'must be at most 2048 characters'),
        headers: z
          .record(headerName, z.string({ error: 'header values must be strings' }).max(4096, 'header values are at most 4096 characters'), { error: 'must be an object of name: value' })
          .refine((h) => Object.keys(h).length <= 20, { error: 'must have at most 20 headers' })
          .optional(),
      })
      .strict()
      .optional(),
    /** A plain-text email to these addresses, through the server's SMTP settings. */
    email: z
      .object({
        to: z.array(z.email({ error: 'must be email addresses' }), { error: 'must be an array of email addresses' }).min(1, 'must list at least one address').max(50, 'must list at most 50 addresses'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => r.webhook !== undefined || r.email !== undefined, { error: 'needs a webhook or an email (or both)' });

/** `notify`: at most 20 rules; default none. */
export const NotifySchema = z.array(NotifyRuleSchema, { error: 'must be an array of { on, webhook?, email? }' }).max(20, 'must have at most 20 entries');
export type NotifyInput = z.infer<typeof NotifySchema>;

/** A rule as responses show it: header names only, never their values. */
export function toNotifyView(rules: NotifyInput | null) {
  return (rules ?? []).map((r) => ({
    on: r.on,
    ...(r.webhook ? { webhook: { url: r.webhook.url, headerNames: Object.keys(r.webhook.headers ?? {}).sort() } } : {}),
    ...(r.email ? { email: { to: r.email.to } } : {}),
  }));
}
