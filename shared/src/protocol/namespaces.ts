import { z } from 'zod';

/**
 * Namespaces partition jobs, tasks, workflows, workers and tokens. A name is a DNS label (1-63
 * lower-case letters, digits and inner hyphens), so it fits URLs, labels and file names unquoted.
 * `default` always exists: everything made before namespaces, and whatever names none, lives there.
 */
export const DEFAULT_NAMESPACE = 'default';

export const NAMESPACE_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const NamespaceNameSchema = z
  .string({ error: 'must be a string' })
  .regex(NAMESPACE_PATTERN, 'must be 1-63 lower-case letters, digits or inner hyphens (a DNS label), e.g. team-a');

/**
 * ` in namespace 'x'` to follow a name in a message, or nothing for `default`, so that messages and
 * reports of a cluster that does not use namespaces read as they did before namespaces.
 */
export function inNamespaceLabel(namespace: string): string {
  return namespace === DEFAULT_NAMESPACE ? '' : ` in namespace '${namespace}'`;
}

/** Why `name` is not a namespace name, or null when it is one (for places without zod, such as CLI flags). */
export function namespaceNameProblem(name: string): string | null {
  return NAMESPACE_PATTERN.test(name) ? null : `'${name}' must be 1-63 lower-case letters, digits or inner hyphens (a DNS label), e.g. team-a`;
}
