import { stringify } from 'yaml';
import { KEEP, type CronJobView, type WorkflowView } from '@cronfleet/shared';
import { DEFAULT_NAMESPACE } from './namespace';

/**
 * The fields of a job in an export, in this order: every field the API shows that apply sets. The
 * API's read-only fields (id, version, times) are left out, `secretEnvKeys` becomes `secretEnv` with
 * `${keep}` values, and webhook `headerNames` become `headers` with `${keep}` values. `namespace` is
 * written only outside `default` (see {@link withoutDefaultNamespace}).
 */
const JOB_FIELDS = [
  'name', 'namespace', 'schedule', 'timezone', 'enabled', 'runner', 'spec', 'env', 'secretEnv', 'timeoutSeconds', 'maxOutputBytes',
  'jitterSeconds', 'concurrencyPolicy', 'misfirePolicy', 'catchUpLimit', 'startingDeadlineSeconds', 'retry', 'priority',
  'workerSelector', 'routing', 'notify', 'triggers', 'params', 'historyLimit', 'historyDays',
] as const;

const WORKFLOW_FIELDS = ['name', 'namespace', 'description', 'schedule', 'timezone', 'enabled', 'params', 'steps'] as const;

/** What `cronfleet export` writes: `jobs` and `workflows`, each by name; a section left out by `--jobs-only` / `--workflows-only` is absent. */
export interface ExportDocument {
  jobs?: Record<string, unknown>[];
  workflows?: Record<string, unknown>[];
}

export const EXPORT_HEADER = [
  '# Cronfleet export: cron jobs and workflows. Apply with: cronfleet apply -f FILE',
  `# Secret values are not exported: '${KEEP}' keeps the value the server holds; on another server,`,
  "# give the value or '${env:NAME}' (read from cronfleet's environment when applying).",
].join('\n');

/** A job as a file apply accepts, its definition only, nothing secret. */
export function exportJob(view: CronJobView): Record<string, unknown> {
  const source: Record<string, unknown> = {
    ...withoutDefaultNamespace(view),
    // Left out when none, as apply reads a job without params: exports of jobs without params stay as they were.
    params: view.params?.length ? view.params : undefined,
    secretEnv: view.secretEnvKeys.length ? Object.fromEntries(view.secretEnvKeys.map((k) => [k, KEEP])) : undefined,
    notify: view.notify.map((r) => ({
      on: r.on,
      ...(r.webhook ? { webhook: { url: r.webhook.url, ...(r.webhook.headerNames.length ? { headers: Object.fromEntries(r.webhook.headerNames.map((h) => [h, KEEP])) } : {}) } } : {}),
      ...(r.email ? { email: r.email } : {}),
    })),
  };
  return pick(source, JOB_FIELDS);
}

export function exportWorkflow(view: WorkflowView): Record<string, unknown> {
  // params left out when none, as for jobs: exports of workflows without params stay as they were.
  const source = { ...view, params: view.params?.length ? view.params : undefined } as unknown as Record<string, unknown> & { namespace?: string };
  return pick(withoutDefaultNamespace(source), WORKFLOW_FIELDS);
}

/**
 * The view with `namespace` left out when it is `default`: an export of a server without other
 * namespaces stays byte for byte what it was before namespaces, and apply puts an item without one
 * in `default` (or `--namespace`), so the round trip is exact.
 */
function withoutDefaultNamespace<T extends { namespace?: string }>(view: T): Omit<T, 'namespace'> & { namespace?: string } {
  const { namespace, ...rest } = view;
  return namespace === undefined || namespace === DEFAULT_NAMESPACE ? rest : { ...rest, namespace };
}

/**
 * The export of these jobs and workflows (null: that section is left out), each sorted by namespace
 * (`default` first) and name, so the same definitions give the same bytes whatever the order the
 * server listed them in.
 */
export function exportDocument(jobs: readonly CronJobView[] | null, workflows: readonly WorkflowView[] | null): ExportDocument {
  const doc: ExportDocument = {};
  if (jobs) doc.jobs = [...jobs].sort(byNamespaceAndName).map(exportJob);
  if (workflows) doc.workflows = [...workflows].sort(byNamespaceAndName).map(exportWorkflow);
  return doc;
}

/** The document as YAML (with a header saying how to apply it and what `${keep}` means) or JSON. */
export function renderExport(doc: ExportDocument, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // lineWidth 0: long commands and URLs stay on one line rather than being folded.
  return `${EXPORT_HEADER}\n${stringify(doc, { lineWidth: 0 })}`;
}

/** `*` matches any run of characters; anything else itself. */
export function nameMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (name) => res.some((re) => re.test(name));
}

/**
 * The fields in `order` (undefined ones left out), each value with its keys in the order the API
 * shows them, as `cronjobs get` and `workflows show` print them: the runner's spec in its schema's
 * order (`command`, `args`, `env`, `cwd`, ...), maps such as `env` in the order they were written.
 * That order comes back from the server a file is applied to, so an export of it is the same bytes.
 */
function pick(source: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of order) if (source[f] !== undefined) out[f] = source[f];
  return out;
}

function byNamespaceAndName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  const rank = (x: { namespace: string }) => (x.namespace === DEFAULT_NAMESPACE ? '' : x.namespace);
  return compare(rank(a), rank(b)) || compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
