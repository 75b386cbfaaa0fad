import { DEFAULT_NAMESPACE, namespaceNameProblem } from '@cronfleet/shared';
import { InvalidArgumentError } from 'commander';

export { DEFAULT_NAMESPACE };
export type { NamespaceView } from '@cronfleet/shared';

/** The largest quota the API takes (namespaces/dto/namespace.dto.ts). */
const MAX_QUOTA = 1_000_000;

/** commander's parser for `--namespace` (also its value from CRONFLEET_NAMESPACE) and NAME arguments. */
export function namespaceArg(v: string): string {
  const problem = namespaceNameProblem(v);
  if (problem) throw new InvalidArgumentError(`namespace ${problem}`);
  return v;
}

/**
 * commander's parser for a quota option (`--max-jobs`, `--max-concurrent-tasks`): a whole number, or
 * `none` for no limit, kept as the word (commander turns a parser's null into ''); the body sends null.
 */
export function quotaArg(option: string) {
  return (v: string): number | 'none' => {
    if (v === 'none') return v;
    if (!/^\d{1,7}$/.test(v) || Number(v) > MAX_QUOTA) throw new InvalidArgumentError(`${option} must be a whole number from 0 to ${MAX_QUOTA}, or 'none' for no limit`);
    return Number(v);
  };
}

/** `*` for a token or worker of every namespace (null), else the namespace. */
export function namespaceLabel(ns: string | null): string {
  return ns === null ? '*' : ns;
}

/** `3`, or `3 of 10` when there is a quota. */
export function usageOfQuota(used: number, max: number | null): string {
  return max === null ? String(used) : `${used} of ${max}`;
}

/**
 * A lookup of `items` (the server's jobs or workflows) by namespace and name, the pair that is unique
 * on the server; names alone repeat across namespaces.
 */
export function byNamespaceAndName<T extends { namespace: string; name: string }>(items: readonly T[]): (namespace: string, name: string) => T | undefined {
  const map = new Map(items.map((i) => [`${i.namespace}/${i.name}`, i]));
  return (namespace, name) => map.get(`${namespace}/${name}`);
}
