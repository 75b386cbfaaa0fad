import { createContext, useContext } from 'react';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  tokenId: number | null;
  name: string;
  role: Role;
  /** The one namespace the token may see; null: cluster-wide (every namespace). Absent from a server before namespaces. */
  namespace?: string | null;
}

export const CallerContext = createContext<Caller | null>(null);

/** Whether the signed-in token may do what needs `role` (the server decides; this only hides buttons). */
export function useAllowed(role: Role): boolean {
  const caller = useContext(CallerContext);
  if (!caller) return true; // not known yet: show, the server refuses if need be
  return ROLES.indexOf(caller.role) >= ROLES.indexOf(role);
}
