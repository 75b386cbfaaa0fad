import { useState, type ReactNode } from 'react';
import '../../forms.css';

/**
 * One advanced setting of a job: its form, or its value as JSON ("Edit as JSON"). Both edit the same
 * value: the JSON shows exactly what the form holds and a valid edit there is the form's value at
 * once, so switching views keeps edits and JSON → form → JSON gives the same value. `fits` says why a
 * value (typed as JSON) has a shape the form cannot show; it then stays in the JSON view, and the
 * server's refusal names what is wrong.
 */
export function Setting({ id, title, hint, value, onChange, problem, allProblems, fits, json = true, children }: {
  id: string;
  title: string;
  hint?: ReactNode;
  value: unknown;
  onChange: (v: unknown) => void;
  /** The server's problems of this setting that no input of the form shows. */
  problem?: string | null;
  /** All the server's problems of this setting: what the JSON view shows. */
  allProblems?: string | null;
  fits?: (v: unknown) => string | null;
  /** False: no JSON view (a secret's values). */
  json?: boolean;
  children: ReactNode;
}) {
  const [asJson, setAsJson] = useState(false);
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const misfit = fits?.(value) ?? null;
  const showJson = json && (asJson || misfit !== null);

  const toJson = () => {
    setText(JSON.stringify(value ?? null, null, 2));
    setParseError(null);
    setAsJson(true);
  };
  const edit = (t: string) => {
    setText(t);
    try {
      const v: unknown = JSON.parse(t);
      setParseError(null);
      onChange(v);
    } catch (e) {
      setParseError(`not valid JSON (${(e as Error).message}); the last valid value is kept`);
    }
  };
  // Open on JSON when the value does not fit the form, with its text.
  if (misfit !== null && !asJson && json) toJson();

  return (
    <section className={`setting${(showJson ? allProblems : problem) ? ' setting-error' : ''}`} data-setting={id} aria-label={title}>
      <header className="setting-header">
        <h3>{title}</h3>
        {json && (
          <button type="button" className="btn btn-small" onClick={() => (showJson ? !parseError && misfit === null && setAsJson(false) : toJson())} disabled={showJson && (parseError !== null || misfit !== null)}>
            {showJson ? 'Edit as form' : 'Edit as JSON'}
          </button>
        )}
      </header>
      {hint && <p className="field-hint">{hint}</p>}
      {(showJson ? allProblems : problem) && (
        <p className="field-message setting-problem" role="alert">
          {showJson ? allProblems : problem}
        </p>
      )}
      {showJson ? (
        <label className="field">
          <span className="field-label">{title} (JSON)</span>
          <textarea name={`${id}-json`} rows={Math.min(16, Math.max(3, text.split('\n').length + 1))} value={text} onChange={(e) => edit(e.target.value)} spellCheck={false} />
          {parseError ? <span className="field-message">{parseError}</span> : misfit ? <span className="field-message">{misfit}: fix it here, or the server will name the problem</span> : null}
        </label>
      ) : (
        children
      )}
    </section>
  );
}
