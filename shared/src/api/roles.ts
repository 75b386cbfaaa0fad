/**
 * API token roles, each allowed everything the ones before it are: `viewer` reads (GET routes, SSE,
 * the socket.io `/events` namespace), `operator` also operates (run, kill, stop, retry tasks; run,
 * pause, resume jobs; drain workers; stop and start the scheduler), `admin` also defines (jobs,
 * workers, tokens) and reads the audit log.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `needed` may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Who made a request: an API token, or the bootstrap admin token of the configuration (tokenId null). */
export interface Actor {
  tokenId: number | null;
  /** The token's name, or `admin` for the bootstrap token. */
  name: string;
  role: Role;
  /** The one namespace a scoped token may see and act in; null: a cluster-wide token. */
  namespace: string | null;
  /** When the token expires, epoch ms; null or absent: never. Streams it opened are closed then (TokenSessions). */
  expiresAtMs?: number | null;
}

export const BOOTSTRAP_ADMIN: Actor = { tokenId: null, name: 'admin', role: 'admin', namespace: null };
