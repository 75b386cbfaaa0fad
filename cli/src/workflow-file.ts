import { parseAllDocuments } from 'yaml';
import { checkDefinition, type WorkflowDefinition, type WorkflowView } from '@cronfleet/shared';
import { CliError, EXIT } from './cli-error';

/** Fields of a workflow as the API shows it that a file may carry (from `workflows show -o yaml`) and apply ignores. */
export const READ_ONLY_WORKFLOW_FIELDS = ['id', 'nextRunAt', 'createdAt', 'updatedAt'] as const;

/** One checked workflow of a file, and where it is in the file (`#2`) for messages. */
export interface WorkflowFileEntry {
  position: string;
  /** The file's `namespace:`, else `--namespace`; undefined: the server's default. Not part of `def`: a workflow cannot move. */
  namespace: string | undefined;
  def: WorkflowDefinition;
}

/**
 * The workflows of a YAML or JSON file: one workflow, a list, `{ workflows: [...] }`, or several YAML
 * documents each holding any of these; each checked with the server's own checkDefinition, so the
 * messages are the API's (`steps[2].dependsOn[0]: no step has the id 'x'`) and nothing is sent to
 * find them. A file that cannot be parsed or holds none is a usage error (exit 2); a bad workflow,
 * or a name given twice, a refusal (exit 1) naming the workflow and the field.
 */
export function readWorkflowFile(text: string, source: string, defaultNamespace?: string): WorkflowFileEntry[] {
  const values: unknown[] = [];
  for (const doc of parseAllDocuments(text, { prettyErrors: true }) as ReturnType<typeof parseAllDocuments> & unknown[]) {
    if (doc.errors.length) throw new CliError(EXIT.usage, `${source}: not valid YAML or JSON: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) values.push(...value);
    else if (isObject(value) && Array.isArray(value.workflows) && Object.keys(value).length === 1) values.push(...value.workflows);
    else values.push(value);
  }
  if (values.length === 0) throw new CliError(EXIT.usage, `${source}: holds no workflow (expected a workflow, a list of workflows, or { workflows: [...] })`);
  return checkWorkflows(values, source, defaultNamespace);
}

/**
 * Checks workflows read from a file (see {@link readWorkflowFile}): all of them, before anything is
 * sent. One without `namespace:` is in `defaultNamespace` (`--namespace`); names are unique per namespace.
 */
export function checkWorkflows(values: readonly unknown[], source: string, defaultNamespace?: string): WorkflowFileEntry[] {
  const seen = new Map<string, string>();
  return values.map((value, i) => {
    const position = `#${i + 1}`;
    const name = isObject(value) && typeof value.name === 'string' && value.name.trim() ? `'${value.name.trim()}' (${position})` : position;
    if (!isObject(value)) throw new CliError(EXIT.refused, `${source}: workflow ${name}: must be an object with name and steps`);
    const given = Object.fromEntries(Object.entries(value).filter(([k]) => !(READ_ONLY_WORKFLOW_FIELDS as readonly string[]).includes(k)));
    let checked: WorkflowDefinition;
    try {
      checked = checkDefinition(given);
    } catch (e) {
      throw new CliError(EXIT.refused, `${source}: workflow ${name}: ${(e as Error).message}`);
    }
    // The namespace picks the workflow to compare with; it is not part of what is compared or PUT.
    const { namespace: own, ...def } = checked;
    const namespace = own ?? defaultNamespace;
    const key = `${namespace ?? ''}/${def.name}`;
    const earlier = seen.get(key);
    if (earlier) throw new CliError(EXIT.refused, `${source}: workflow ${name}: name: '${def.name}' is also the name of workflow ${earlier}${namespace ? ` in namespace '${namespace}'` : ''}; names are unique in a namespace`);
    seen.set(key, position);
    return { position, namespace, def };
  });
}

/** True when the server holds `def` as it is (apply then leaves it alone). */
export function sameDefinition(def: WorkflowDefinition, view: WorkflowView): boolean {
  const stored: WorkflowDefinition = { name: view.name, description: view.description, schedule: view.schedule, timezone: view.timezone, enabled: view.enabled, params: view.params ?? [], steps: view.steps };
  return canonical(def) === canonical(stored);
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
