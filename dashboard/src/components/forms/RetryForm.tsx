import type { Problems } from './errors';
import { isObject, NumberField, SelectField } from './inputs';

/** The server's defaults of a retry policy (cronjobs/dto/policies.dto.ts), for one turned on here. */
export const RETRY_DEFAULTS = { maxRetries: 3, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600, jitter: true };
export const RETRY_FIELDS = ['maxRetries', 'backoff', 'delaySeconds', 'maxDelaySeconds', 'jitter'];

export const retryFits = (v: unknown) => (v === null || isObject(v) ? null : 'a retry policy is null (never retry) or an object');

/** `retry`: null (never) or how failed and timed-out attempts are retried. */
export function RetryForm({ value, onChange, problems }: { value: unknown; onChange: (v: unknown) => void; problems: Problems }) {
  const on = isObject(value);
  const r = on ? value : {};
  const set = (k: string, v: unknown) => onChange({ ...r, [k]: v });
  return (
    <div>
      <label className="check">
        <input type="checkbox" name="retry-on" checked={on} onChange={(e) => onChange(e.target.checked ? { ...RETRY_DEFAULTS } : null)} /> Retry failed, timed-out and lost attempts
      </label>
      {on && (
        <div className="row">
          <NumberField label="Max retries" name="retry-maxRetries" value={r.maxRetries} onChange={(v) => set('maxRetries', v)} unit="after the first attempt" hint="0-100" error={problems.under('retry.maxRetries')} empty={undefined} />
          <SelectField
            label="Backoff"
            name="retry-backoff"
            value={r.backoff ?? 'exponential'}
            onChange={(v) => set('backoff', v)}
            options={[
              ['exponential', 'exponential (delay × 2 each retry)'],
              ['fixed', 'fixed (the same delay each time)'],
            ]}
            error={problems.under('retry.backoff')}
          />
          <NumberField label="First delay" name="retry-delaySeconds" value={r.delaySeconds} onChange={(v) => set('delaySeconds', v)} unit="s" hint="0-86400; empty: 10" error={problems.under('retry.delaySeconds')} empty={undefined} />
          <NumberField label="Longest delay" name="retry-maxDelaySeconds" value={r.maxDelaySeconds} onChange={(v) => set('maxDelaySeconds', v)} unit="s" hint="1-604800; empty: 3600" error={problems.under('retry.maxDelaySeconds')} empty={undefined} />
          <label className="check" title="spreads the retries of many tasks failing together">
            <input type="checkbox" name="retry-jitter" checked={r.jitter !== false} onChange={(e) => set('jitter', e.target.checked)} /> jitter
          </label>
        </div>
      )}
    </div>
  );
}

/** A retry policy in words: "up to 3 retries, exponential backoff from 10 s (at most 3600 s), jitter". */
export function describeRetry(v: unknown): string {
  if (!isObject(v)) return 'never retried';
  const n = Number(v.maxRetries);
  const backoff = v.backoff === 'fixed' ? `every ${v.delaySeconds ?? 10} s` : `exponential backoff from ${v.delaySeconds ?? 10} s (at most ${v.maxDelaySeconds ?? 3600} s)`;
  return `up to ${n} ${n === 1 ? 'retry' : 'retries'}, ${backoff}${v.jitter === false ? '' : ', with jitter'}`;
}
