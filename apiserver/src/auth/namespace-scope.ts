import { DEFAULT_NAMESPACE, type Actor, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { DomainError } from '../common/errors';

/**
 * What a caller may see and where its creations go, by its token's namespace. A cluster-wide token
 * (namespace null, the bootstrap admin token among them) sees every namespace; a scoped token only
 * its own. Used by the controllers for lists and creates; the guard checks routes naming one
 * resource by the route's `scope` (auth/namespace-access.ts).
 */

const scopedRefusal = (actor: Actor, asked: string): DomainError =>
  new DomainError('OutsideNamespace', `namespace: token '${actor.name}' is scoped to namespace '${actor.namespace}'; '${asked}' is outside it`);

/** The namespace a list is filtered by: the asked one (checked), a scoped token's own, or undefined (all). */
export function listNamespace(actor: Actor | undefined, asked: string | undefined): string | undefined {
  const a = actor ?? BOOTSTRAP_ADMIN;
  if (a.namespace === null) return asked;
  if (asked !== undefined && asked !== a.namespace) throw scopedRefusal(a, asked);
  return a.namespace;
}

/** The namespace something new goes into: the asked one (checked), else the token's own, else `default`. */
export function createNamespace(actor: Actor | undefined, asked: string | undefined): string {
  return listNamespace(actor, asked) ?? DEFAULT_NAMESPACE;
}
