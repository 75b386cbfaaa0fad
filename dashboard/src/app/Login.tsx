import { useState, type FormEvent } from 'react';
import { clientWithToken } from '../api/client';
import { signIn } from '../api/session';

/** Sign in with an API token (the admin token printed at the server's first start, or one made with `cronfleet tokens create`). */
export function Login({ reason }: { reason?: string }) {
  const [value, setValue] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(reason ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await clientWithToken(value.trim()).scheduler.status();
      signIn(value.trim(), remember);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form onSubmit={submit} className="card">
        <h1>Cronfleet</h1>
        <label className="field">
          <span className="field-label">API token</span>
          <input type="password" name="token" autoComplete="current-password" value={value} onChange={(e) => setValue(e.target.value)} required autoFocus />
          <span className="field-hint">Printed at the server's first start (also in its data directory's tokens.json).</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> remember on this browser
        </label>
        {error && (
          <div className="error-note" role="alert">
            {error}
          </div>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy || !value.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
