import { createContext, useContext } from 'react';
import { roleAllows, type API_TOKEN_ROUTES, type Role, type RouteResult } from '@cronfleet/shared/api';

export type { Role };

/** The signed-in token, as `GET /tokens/self` tells it: its role, and the one namespace it may see (null: cluster-wide). */
export type Caller = RouteResult<typeof API_TOKEN_ROUTES.self>;

export const CallerContext = createContext<Caller | null>(null);

/** Whether the signed-in token may do what needs `role` (the server decides; this only hides buttons). */
export function useAllowed(role: Role): boolean {
  const caller = useContext(CallerContext);
  if (!caller) return true; // not known yet: show, the server refuses if need be
  return roleAllows(caller.role, role);
}
