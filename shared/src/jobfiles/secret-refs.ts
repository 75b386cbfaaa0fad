import { DefinitionError } from './definition-error';

/**
 * The value `cronfleet export` writes for a secret it cannot read back (a `secretEnv` value, a
 * webhook header value): `apply` keeps the value the server holds, and refuses when there is none.
 */
export const KEEP = '${keep}';

/** `${env:NAME}`: the value of NAME in the environment of the `cronfleet apply` process. */
const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A secret value of a job in a file, with where it is (`secretEnv.TOKEN`, `notify[0].webhook.headers.Authorization`). */
interface SecretSlot {
  field: string;
  get(): unknown;
  set(value: string): void;
}

/**
 * Replaces every `${env:NAME}` secret value of the jobs of a file (in `secretEnv` and webhook
 * `headers`, nowhere else) by NAME from `env`, in place. An unset variable is a refusal naming the
 * job, the field and the variable; values never appear in messages.
 */
export function resolveSecretRefs(jobs: readonly unknown[], env: Readonly<Record<string, string | undefined>>, source: string): void {
  jobs.forEach((job, i) => {
    for (const slot of secretSlots(job)) {
      const value = slot.get();
      if (typeof value !== 'string') continue;
      const ref = ENV_REF.exec(value);
      if (!ref) continue;
      const resolved = env[ref[1]];
      if (resolved === undefined) {
        const name = isObject(job) && typeof job.name === 'string' ? `'${job.name}' (#${i + 1})` : `#${i + 1}`;
        throw new DefinitionError('invalid', `${source}: job ${name}: ${slot.field}: '${value}' names the environment variable ${ref[1]}, which is not set`);
      }
      slot.set(resolved);
    }
  });
}

/** The fields of a job holding `${env:NAME}`, e.g. `['secretEnv.TOKEN']`. */
export function envRefFields(job: unknown): string[] {
  return secretSlots(job)
    .filter((s) => typeof s.get() === 'string' && ENV_REF.test(s.get() as string))
    .map((s) => s.field);
}

/** The fields of a (checked) job holding `${keep}`, e.g. `['secretEnv.TOKEN']`. */
export function keptFields(job: { secretEnv?: Record<string, string> | null; notify?: readonly { webhook?: { headers?: Record<string, string> } }[] }): string[] {
  return secretSlots(job)
    .filter((s) => s.get() === KEEP)
    .map((s) => s.field);
}

function secretSlots(job: unknown): SecretSlot[] {
  if (!isObject(job)) return [];
  const slots: SecretSlot[] = [];
  const inObject = (o: unknown, prefix: string) => {
    if (!isObject(o)) return;
    for (const k of Object.keys(o)) slots.push({ field: `${prefix}.${k}`, get: () => o[k], set: (v) => (o[k] = v) });
  };
  inObject(job.secretEnv, 'secretEnv');
  if (Array.isArray(job.notify)) {
    job.notify.forEach((rule: unknown, i) => {
      if (isObject(rule) && isObject(rule.webhook)) inObject(rule.webhook.headers, `notify[${i}].webhook.headers`);
    });
  }
  return slots;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
