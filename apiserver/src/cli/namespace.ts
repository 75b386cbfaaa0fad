import { InvalidArgumentError } from 'commander';

/** The namespace that always exists and holds everything made before namespaces. */
export const DEFAULT_NAMESPACE = 'default';

/** A namespace name is a DNS label: 1-63 lowercase letters, digits and `-`, not starting or ending with `-`. */
export const NAMESPACE_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const NAME_RULE = 'must be 1-63 lowercase letters, digits or -, starting and ending with a letter or digit';

/** What is wrong with `v` as a namespace name, or null when it is one. */
export function namespaceProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'must be a string';
  return NAMESPACE_PATTERN.test(v) ? null : NAME_RULE;
}

/** commander's parser for `--namespace` (also its value from CRONFLEET_NAMESPACE) and NAME arguments. */
export function namespaceArg(v: string): string {
  const problem = namespaceProblem(v);
  if (problem) throw new InvalidArgumentError(`namespace '${v}' ${problem}`);
  return v;
}

/**
 * commander's parser for a quota option (`--max-jobs`, `--max-concurrent-tasks`): a whole number, or
 * `none` for no limit (null, which clears the quota in `namespaces set`).
 */
export function quotaArg(option: string) {
  return (v: string): number | null => {
    if (v === 'none') return null;
    if (!/^\d{1,9}$/.test(v)) throw new InvalidArgumentError(`${option} must be a whole number of at least 0, or 'none' for no limit`);
    return Number(v);
  };
}

/** `*` for a token or worker of every namespace (null), else the namespace. */
export function namespaceLabel(ns: string | null | undefined): string {
  return ns === null || ns === undefined ? '*' : ns;
}

/** `3`, or `3 of 10` when there is a quota. */
export function usageOfQuota(used: number, max: number | null): string {
  return max === null ? String(used) : `${used} of ${max}`;
}

/**
 * The namespace a create without `namespace` lands in, judged from the namespaces the token sees
 * (GET /namespaces): a scoped token sees only its own, which is then the default; a cluster-wide
 * token sees `default` and maybe others, and its default is `default`. One visible namespace is
 * either case, and it is the default in both.
 */
export function defaultNamespaceOf(visible: readonly { name: string }[]): string {
  return visible.length === 1 ? visible[0].name : DEFAULT_NAMESPACE;
}

/** The file's `namespace:` of an item, checked, and the item without it (the API's schemas judge the rest). */
export function takeNamespace(item: Record<string, unknown>): { namespace: string | undefined; rest: Record<string, unknown>; problem: string | null } {
  const { namespace, ...rest } = item;
  if (namespace === undefined) return { namespace: undefined, rest, problem: null };
  const problem = namespaceProblem(namespace);
  return { namespace: problem ? undefined : (namespace as string), rest, problem: problem && `namespace: ${problem}` };
}

/** A namespace as the API shows it (GET /namespaces). */
export interface NamespaceView {
  name: string;
  description: string | null;
  /** Most cron jobs in it; null: no limit. */
  maxJobs: number | null;
  /** Most of its tasks running at once; null: no limit. */
  maxConcurrentTasks: number | null;
  usage: { jobs: number; workflows: number; runningTasks: number };
  createdAt: string;
  updatedAt: string;
}

/**
 * A lookup of `items` (the server's jobs or workflows) by namespace and name, the pair that is unique
 * on the server; names alone repeat across namespaces.
 */
export function byNamespaceAndName<T extends { namespace: string; name: string }>(items: readonly T[]): (namespace: string, name: string) => T | undefined {
  const map = new Map(items.map((i) => [`${i.namespace}/${i.name}`, i]));
  return (namespace, name) => map.get(`${namespace}/${name}`);
}
