import { createContext, useContext } from 'react';
import type { Namespace } from '../api/types';
import type { Caller } from './role';

// The header's namespace pick, kept in localStorage so a reload (or a new tab) keeps it. The pages
// pass it as `?namespace=` on their list calls; detail pages show any item the token may see.
const KEY = 'cronfleet.namespace';

export interface NamespaceScope {
  /** The picked namespace; null: all namespaces (a cluster-wide token), or a server without namespaces. */
  current: string | null;
  /** The namespaces the token sees; null: the server has no namespaces (or did not answer). */
  namespaces: Namespace[] | null;
  /** A cluster-wide token (not scoped to one namespace): may pick "All namespaces" and manage namespaces. */
  clusterWide: boolean;
  pick(name: string | null): void;
  /** Reads the namespaces again (after one is created, changed or deleted). */
  reload(): void;
}

export const NamespaceContext = createContext<NamespaceScope>({ current: null, namespaces: null, clusterWide: true, pick: () => undefined, reload: () => undefined });

export function useNamespace(): NamespaceScope {
  return useContext(NamespaceContext);
}

/** Whether a list shows a namespace column: when it mixes namespaces. */
export function useMixedNamespaces(): boolean {
  const s = useNamespace();
  return s.namespaces !== null && s.current === null;
}

/** The `namespace` filter of a list call: the pick, or nothing for all. */
export function useNamespaceFilter(): string | undefined {
  return useNamespace().current ?? undefined;
}

export function storedPick(): string | null {
  return localStorage.getItem(KEY);
}

export function storePick(name: string | null): void {
  if (name === null) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, name);
}

export function isClusterWide(caller: Caller | null): boolean {
  return caller?.namespace == null;
}

/**
 * What the pages show: a scoped token its own namespace, whatever was picked; a cluster-wide one the
 * namespace it picked while it still exists, else all of them.
 */
export function resolvePick(picked: string | null, namespaces: readonly Namespace[] | null, caller: Caller | null): string | null {
  if (namespaces === null) return null;
  if (!isClusterWide(caller)) return caller!.namespace ?? null;
  return picked !== null && namespaces.some((n) => n.name === picked) ? picked : null;
}

/** Where a new job goes unless the form says otherwise: the picked namespace, the token's, or `default`. */
export function defaultNamespace(scope: NamespaceScope, caller: Caller | null): string {
  return scope.current ?? caller?.namespace ?? 'default';
}
