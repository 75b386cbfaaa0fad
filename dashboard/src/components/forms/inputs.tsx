import { useState } from 'react';
import { Field } from '../ui';
import type { Problems } from './errors';
import '../../forms.css';

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
}

/**
 * Text an input shows for `value`, kept as typed while it still reads as `value` (so "1." or "a, "
 * are not rewritten under the cursor), and reset when `value` changes from elsewhere (the JSON view).
 */
export function useDraft<D, T>(value: T, format: (v: T) => D, parse: (draft: D) => T): [D, (draft: D) => T] {
  // `of`: the value the draft was last made from or read as; a value the draft cannot express
  // exactly (a number where text was expected) is shown as formatted without resetting again.
  const [state, setState] = useState(() => ({ draft: format(value), of: value }));
  const current = sameJson(state.of, value) || sameJson(parse(state.draft), value);
  if (!current) setState({ draft: format(value), of: value });
  const draft = current ? state.draft : format(value);
  return [draft, (d: D) => {
    const v = parse(d);
    setState({ draft: d, of: v });
    return v;
  }];
}

/** A whole number as typed; '' as `empty`; anything else as the text, for the server to name. */
function parseNumber(text: string, empty: null | undefined): unknown {
  const t = text.trim();
  if (t === '') return empty;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** A number input with its unit; empty means `empty` (null: "none" or "the server's default"). */
export function NumberField({ label, name, value, onChange, unit, hint, error, empty = null, placeholder, min, max }: {
  label: string;
  name: string;
  value: unknown;
  onChange: (v: unknown) => void;
  unit?: string;
  hint?: string;
  error?: string | null;
  empty?: null | undefined;
  placeholder?: string;
  min?: number;
  max?: number;
}) {
  const [text, parse] = useDraft<string, unknown>(value, (v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)), (t) => parseNumber(t, empty));
  return (
    <Field label={label} hint={hint} error={error}>
      <span className="unit-input">
        <input name={name} inputMode="numeric" value={text} placeholder={placeholder} onChange={(e) => onChange(parse(e.target.value))} aria-valuemin={min} aria-valuemax={max} />
        {unit && <span className="unit">{unit}</span>}
      </span>
    </Field>
  );
}

/** A select over `options` ([value, label]); a value outside them is shown as it is, for the server to name. */
export function SelectField({ label, name, value, onChange, options, hint, error }: {
  label: string;
  name: string;
  value: unknown;
  onChange: (v: string) => void;
  options: readonly (readonly [string, string])[];
  hint?: string;
  error?: string | null;
}) {
  const current = typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <Field label={label} hint={hint} error={error}>
      <select name={name} value={current} onChange={(e) => onChange(e.target.value)}>
        {!options.some(([v]) => v === current) && <option value={current}>{current}</option>}
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A list of strings typed comma-separated; an empty list is `empty` ([] or undefined: leave it out). */
export function ListField({ label, name, value, onChange, hint, error, empty, placeholder }: {
  label: string;
  name: string;
  value: unknown;
  onChange: (v: string[] | undefined) => void;
  hint?: string;
  error?: string | null;
  empty: [] | undefined;
  placeholder?: string;
}) {
  const split = (t: string) => {
    const items = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return items.length ? items : empty;
  };
  const [text, parse] = useDraft<string, unknown>(value, (v) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : ''), split);
  return (
    <Field label={label} hint={hint ?? 'comma-separated'} error={error}>
      <input name={name} value={text} placeholder={placeholder} onChange={(e) => onChange(parse(e.target.value) as string[] | undefined)} spellCheck={false} />
    </Field>
  );
}

interface Row {
  key: string;
  value: string | null;
}

const toObject = (rows: readonly Row[]): Record<string, string | null> => Object.fromEntries(rows.filter((r) => r.key !== '' || (r.value ?? '') !== '').map((r) => [r.key, r.value]));
const toRows = (v: unknown): Row[] => (isObject(v) ? Object.entries(v).map(([key, value]) => ({ key, value: typeof value === 'string' || value === null ? value : JSON.stringify(value) })) : []);

/**
 * Name/value rows for an object of strings (environment, labels, headers, a trigger's params). A
 * null value is a stored one the server never shows (a webhook header): its input asks for it again.
 * Problems of `path.<name>` show on the row of that name.
 */
export function KeyValueRows({ path, value, onChange, problems, keyLabel = 'Name', valueLabel = 'Value', addLabel = 'Add', secret = false, keyPlaceholder }: {
  path: string;
  value: unknown;
  onChange: (v: Record<string, string | null>) => void;
  problems: Problems;
  keyLabel?: string;
  valueLabel?: string;
  addLabel?: string;
  secret?: boolean;
  keyPlaceholder?: string;
}) {
  // Absent is no rows: an object still, so that a blank row added to none stays.
  const [shown, setRows] = useDraft<Row[], unknown>(isObject(value) ? value : {}, toRows, toObject);
  const set = (next: Row[]) => onChange(setRows(next) as Record<string, string | null>);
  const names = shown.map((r) => r.key);
  return (
    <div className="kv-rows" data-path={path}>
      {shown.map((r, i) => {
        const error = problems.under(`${path}.${r.key}`);
        const twice = r.key !== '' && names.indexOf(r.key) !== i ? `${keyLabel.toLowerCase()} ${r.key} is given twice: the last row wins` : null;
        return (
          <div className={`kv-row${error ? ' field-error' : ''}`} key={i} data-row={r.key}>
            <input aria-label={`${keyLabel} ${i + 1}`} value={r.key} placeholder={keyPlaceholder ?? keyLabel} spellCheck={false} onChange={(e) => set(shown.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
            <input
              aria-label={`${valueLabel} ${i + 1}`}
              type={secret ? 'password' : 'text'}
              autoComplete={secret ? 'new-password' : 'off'}
              value={r.value ?? ''}
              placeholder={r.value === null ? 'stored, never shown: type it again' : valueLabel}
              spellCheck={false}
              onChange={(e) => set(shown.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
            />
            <button type="button" className="btn btn-small" aria-label={`Remove ${r.key || `row ${i + 1}`}`} onClick={() => set(shown.filter((_, j) => j !== i))}>
              ×
            </button>
            {(error || twice) && <span className="field-message kv-message">{error ?? twice}</span>}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => set([...shown, { key: '', value: '' }])}>
        {addLabel}
      </button>
    </div>
  );
}
