// The dashboard's client of its server: @cronfleet/client on the page's own origin (every route of
// the contract a method, typed by its schemas), with the session's token read before each request.
import { createClient } from '@cronfleet/client';
import { signOut, token } from './session';

/** The page's fetch; a 401 means the session's token is no longer good (revoked, expired): sign out. */
const fetchSigningOut: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  if (res.status === 401) signOut();
  return res;
};

export const api = createClient({ baseUrl: '', token, fetch: fetchSigningOut });

/** A client with `t` instead of the session's token, for checking a token before keeping it: its 401 signs nothing out. */
export function clientWithToken(t: string) {
  return createClient({ baseUrl: '', token: t, retry: false });
}
