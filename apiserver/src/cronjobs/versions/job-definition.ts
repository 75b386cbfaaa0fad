import type { NotifyRule } from '../notify-rule';
import type { CronJobEntity } from '../cronjob.entity';
import { type FieldChange, sameValue, toNotifyView } from '@cronfleet/shared';

type NotifyView = ReturnType<typeof toNotifyView>;

/** The fields of a job a version records as they are (secrets and notify headers are handled apart). */
export const PLAIN_FIELDS = [
  'name',
  'schedule',
  'timezone',
  'runner',
  'spec',
  'timeoutSeconds',
  'enabled',
  'jitterSeconds',
  'concurrencyPolicy',
  'misfirePolicy',
  'catchUpLimit',
  'startingDeadlineSeconds',
  'retry',
  'priority',
  'workerSelector',
  'routing',
  'env',
  'maxOutputBytes',
  'triggers',
  'params',
  'historyLimit',
  'historyDays',
] as const satisfies readonly (keyof CronJobEntity)[];

type PlainField = (typeof PLAIN_FIELDS)[number];
type PlainDefinition = { [K in PlainField]: CronJobEntity[K] };

/**
 * A job's whole definition as a version keeps it (JSON in `cronjob_versions.definition`). Secret
 * values are never in clear: `secretEnv` is the sealed text of the job row (AES-256-GCM under
 * CRONFLEET_SECRET_KEY), and webhook header values are sealed apart in `notifyHeaders`, `notify`
 * holding only their names, as the API shows them.
 */
export interface StoredDefinition extends PlainDefinition {
  secretEnv: string | null;
  secretEnvKeys: string[];
  notify: NotifyView;
  /** Sealed JSON of each rule's `webhook.headers` (null for a rule without); null when no rule has any. */
  notifyHeaders: string | null;
}

/** A definition as the API shows it: no sealed values. */
export type DefinitionView = Omit<StoredDefinition, 'secretEnv' | 'notifyHeaders'>;


/** Seals and opens what a version must not keep in clear (SecretBox). */
export interface Sealer {
  sealJson(value: unknown): string;
  openJson<T>(sealed: string, what: string): T;
}

const headersOf = (rules: readonly NotifyRule[] | null): (Record<string, string> | null)[] => (rules ?? []).map((r) => r.webhook?.headers ?? null);

/** The definition of `job` to store in a version. */
export function definitionOf(job: CronJobEntity, sealer: Sealer): StoredDefinition {
  const plain = Object.fromEntries(PLAIN_FIELDS.map((f) => [f, job[f] ?? null])) as PlainDefinition;
  const headers = headersOf(job.notify);
  return {
    ...plain,
    env: job.env ?? {},
    triggers: job.triggers ?? {},
    params: job.params ?? [],
    secretEnv: job.secretEnv,
    secretEnvKeys: job.secretEnvKeys ?? [],
    notify: toNotifyView(job.notify),
    notifyHeaders: headers.some((h) => h !== null) ? sealer.sealJson(headers) : null,
  };
}

export function toDefinitionView(d: StoredDefinition): DefinitionView {
  const { secretEnv: _sealed, notifyHeaders: _headers, ...view } = d;
  return view;
}

/** The notify rules of a stored definition with their header values opened again (for a rollback). */
export function notifyRulesOf(d: StoredDefinition, sealer: Sealer): NotifyRule[] {
  const headers = d.notifyHeaders === null ? [] : sealer.openJson<(Record<string, string> | null)[]>(d.notifyHeaders, 'notify');
  return d.notify.map((r, i) => ({
    on: r.on,
    ...(r.webhook ? { webhook: { url: r.webhook.url, ...(headers[i] ? { headers: headers[i]! } : {}) } } : {}),
    ...(r.email ? { email: { to: r.email.to } } : {}),
  })) as NotifyRule[];
}

/**
 * What changed from `before` to `after`, in the order of the fields, secrets redacted. Secret
 * values are compared opened (sealing the same values twice gives different text); a value that
 * cannot be opened counts as changed when its sealed text differs.
 */
export function diffJobs(before: CronJobEntity, after: CronJobEntity, sealer: Sealer): FieldChange[] {
  const out: FieldChange[] = [];
  const normal = (j: CronJobEntity, f: PlainField): unknown => (f === 'env' ? (j.env ?? {}) : f === 'triggers' ? (j.triggers ?? {}) : f === 'params' ? (j.params ?? []) : (j[f] ?? null));
  for (const f of PLAIN_FIELDS) diffValue(f, normal(before, f), normal(after, f), out);
  if (!sameSecrets(before.secretEnv, after.secretEnv, sealer)) {
    out.push({ field: 'secretEnv', before: before.secretEnvKeys ?? [], after: after.secretEnvKeys ?? [], redacted: true });
  }
  if (!sameValue(before.notify ?? [], after.notify ?? [])) {
    const hidden = [...headersOf(before.notify), ...headersOf(after.notify)].some((h) => h !== null);
    out.push({ field: 'notify', before: toNotifyView(before.notify), after: toNotifyView(after.notify), ...(hidden ? { redacted: true as const } : {}) });
  }
  return out;
}

function diffValue(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (sameValue(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValue(`${path}.${k}`, a[k] ?? null, b[k] ?? null, out);
    return;
  }
  out.push({ field: path, before: a ?? null, after: b ?? null });
}

function sameSecrets(a: string | null, b: string | null, sealer: Sealer): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  try {
    return sameValue(sealer.openJson(a, 'secretEnv'), sealer.openJson(b, 'secretEnv'));
  } catch {
    return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
