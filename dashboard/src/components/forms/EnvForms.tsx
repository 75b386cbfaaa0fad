import type { Problems } from './errors';
import { isObject, KeyValueRows } from './inputs';

export const envFits = (v: unknown) => (isObject(v) ? null : 'env is an object of NAME: value');

/** `env`: variables every run gets, under the spec's own `env`. */
export function EnvForm({ value, onChange, problems }: { value: unknown; onChange: (v: unknown) => void; problems: Problems }) {
  return <KeyValueRows path="env" value={value} onChange={onChange} problems={problems} keyLabel="Variable" valueLabel="Value" addLabel="Add variable" keyPlaceholder="NAME" />;
}

/**
 * `secretEnv`, write-only: the server answers its names only (`secretEnvKeys`) and a save replaces
 * all of it. `value` undefined: keep what is stored (nothing is sent); null: remove all; an object:
 * replace with it, where a null value is a stored name whose value must be typed again.
 */
export function SecretEnvForm({ value, onChange, problems, stored }: { value: unknown; onChange: (v: unknown) => void; problems: Problems; stored: readonly string[] }) {
  const keep = () => onChange(undefined);
  if (value === undefined)
    return (
      <div className="secret-env">
        <p data-testid="secret-names">{stored.length ? <>Stored: {stored.map((k) => <code key={k}>{k}</code>)} (values are never shown)</> : 'None stored.'}</p>
        <div className="row">
          <button type="button" className="btn btn-small" onClick={() => onChange(Object.fromEntries(stored.map((k) => [k, null])))}>
            {stored.length ? 'Replace secrets…' : 'Add secrets…'}
          </button>
          {stored.length > 0 && (
            <button type="button" className="btn btn-small" onClick={() => onChange(null)}>
              Remove all secrets
            </button>
          )}
        </div>
      </div>
    );
  if (value === null)
    return (
      <div className="secret-env">
        <p>All secret variables ({stored.join(', ')}) are removed when you save.</p>
        <button type="button" className="btn btn-small" onClick={keep}>
          Keep them
        </button>
      </div>
    );
  return (
    <div className="secret-env">
      <p className="field-hint">Saving replaces every secret variable with these rows: type each value again (stored values are never shown nor sent back).</p>
      <KeyValueRows path="secretEnv" value={value} onChange={onChange} problems={problems} keyLabel="Secret" valueLabel="Secret value" addLabel="Add secret" secret keyPlaceholder="NAME" />
      <button type="button" className="btn btn-small" onClick={keep}>
        {stored.length ? 'Keep the stored ones instead' : 'No secrets'}
      </button>
    </div>
  );
}

/** Stored names whose value was not typed again: a replace would lose them. */
export function untypedSecrets(value: unknown): string[] {
  return isObject(value) ? Object.keys(value).filter((k) => value[k] === null) : [];
}
