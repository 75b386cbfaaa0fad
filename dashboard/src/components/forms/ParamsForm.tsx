import type { Problems } from './errors';
import { isObject, ListField } from './inputs';
import { Field } from '../ui';

type Param = Record<string, unknown>;

export const paramsFits = (v: unknown) => (Array.isArray(v) && v.every(isObject) ? null : 'params is a list of { name, description?, default?, required?, pattern? | enum? }');

/** Sets `k` to `v`, or leaves it out when `v` is undefined. */
function put(p: Param, k: string, v: unknown): Param {
  const next = { ...p, [k]: v };
  if (v === undefined) delete next[k];
  return next;
}

/** `params`: what a run may set, each given to the task as CRONFLEET_PARAM_<NAME>. */
export function ParamsForm({ value, onChange, problems }: { value: unknown; onChange: (v: unknown) => void; problems: Problems }) {
  const list = (Array.isArray(value) ? value : []) as Param[];
  return (
    <div className="rows">
      {list.length === 0 && <p className="muted">No params: a run cannot vary anything.</p>}
      {list.map((p, i) => (
        <ParamRow key={i} index={i} param={p} problems={problems} onChange={(x) => onChange(list.map((y, j) => (j === i ? x : y)))} onRemove={() => onChange(list.filter((_, j) => j !== i))} />
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...list, { name: '', required: false }])}>
        Add param
      </button>
    </div>
  );
}

function ParamRow({ index: i, param: p, onChange, onRemove, problems }: { index: number; param: Param; onChange: (p: Param) => void; onRemove: () => void; problems: Problems }) {
  const path = `params.${i}`;
  const text = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : p[k] === undefined ? '' : JSON.stringify(p[k]));
  const allowed = p.enum !== undefined ? 'enum' : p.pattern !== undefined ? 'pattern' : 'any';
  const setAllowed = (a: string) => onChange(put(put(p, 'enum', a === 'enum' ? (p.enum ?? []) : undefined), 'pattern', a === 'pattern' ? (p.pattern ?? '') : undefined));
  const rest = problems.restUnder(path, ['name', 'description', 'default', 'required', 'pattern', 'enum'].map((k) => `${path}.${k}`));
  return (
    <fieldset className="sub-card" data-param={i}>
      <legend>Param {i + 1}</legend>
      {rest && <p className="field-message">{rest}</p>}
      <div className="row">
        <Field label="Param name" hint="A-Z, 0-9, _; the task gets CRONFLEET_PARAM_<NAME>" error={problems.under(`${path}.name`)}>
          <input name={`param-${i}-name`} value={text('name')} placeholder="REGION" spellCheck={false} onChange={(e) => onChange({ ...p, name: e.target.value })} />
        </Field>
        <label className="check">
          <input type="checkbox" name={`param-${i}-required`} checked={p.required === true} onChange={(e) => onChange({ ...p, required: e.target.checked })} /> required
        </label>
      </div>
      <Field label="Description" error={problems.under(`${path}.description`)}>
        <input name={`param-${i}-description`} value={text('description')} onChange={(e) => onChange(put(p, 'description', e.target.value || undefined))} />
      </Field>
      <div className="row">
        <Field label="Default" hint="empty: none" error={problems.under(`${path}.default`)}>
          <input name={`param-${i}-default`} value={text('default')} spellCheck={false} onChange={(e) => onChange(put(p, 'default', e.target.value === '' ? undefined : e.target.value))} />
        </Field>
        <Field label="Allowed values">
          <select name={`param-${i}-allowed`} value={allowed} onChange={(e) => setAllowed(e.target.value)}>
            <option value="any">any value</option>
            <option value="enum">one of a list</option>
            <option value="pattern">matching a pattern</option>
          </select>
        </Field>
        {allowed === 'enum' && <ListField label="One of" name={`param-${i}-enum`} value={p.enum} onChange={(v) => onChange({ ...p, enum: v ?? [] })} error={problems.under(`${path}.enum`)} empty={[]} placeholder="eu, us" />}
        {allowed === 'pattern' && (
          <Field label="Pattern" hint="a regular expression the whole value matches" error={problems.under(`${path}.pattern`)}>
            <input name={`param-${i}-pattern`} value={text('pattern')} placeholder="[A-Z]+-[0-9]+" spellCheck={false} onChange={(e) => onChange({ ...p, pattern: e.target.value })} />
          </Field>
        )}
      </div>
      <button type="button" className="btn btn-small" onClick={onRemove}>
        Remove param {i + 1}
      </button>
    </fieldset>
  );
}
