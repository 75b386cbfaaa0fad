// The token the dashboard signed in with: kept for this tab (sessionStorage), or across restarts of
// the browser when the user asked to be remembered (localStorage). Never put in a URL.

const KEY = 'cronfleet.token';
type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();
let current: string | null = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);

export function token(): string | null {
  return current;
}

export function signIn(t: string, remember: boolean): void {
  current = t;
  (remember ? localStorage : sessionStorage).setItem(KEY, t);
  listeners.forEach((l) => l(current));
}

export function signOut(): void {
  current = null;
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  listeners.forEach((l) => l(null));
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
