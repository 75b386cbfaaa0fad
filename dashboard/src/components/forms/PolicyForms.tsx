import type { Problems } from './errors';
import { isObject, KeyValueRows, ListField, NumberField, SelectField } from './inputs';

type Group = Record<string, unknown>;
interface GroupProps {
  value: unknown;
  onChange: (v: unknown) => void;
  problems: Problems;
}

export const groupFits = (keys: readonly string[]) => (v: unknown) =>
  isObject(v) && Object.keys(v).every((k) => keys.includes(k)) ? null : `an object of ${keys.join(', ')}`;

const ROUTING: readonly (readonly [string, string])[] = [
  ['leastLoaded', 'leastLoaded: the worker with the most room'],
  ['roundRobin', 'roundRobin: each worker in turn'],
  ['random', 'random'],
  ['consistentHash', 'consistentHash: the same worker while it is up'],
  ['broadcast', 'broadcast: one task on every matching worker'],
];

export const ROUTING_KEYS = ['routing', 'workerSelector'];

/** `routing` and `workerSelector`: where the job's tasks run. */
export function RoutingForm({ value, onChange, problems }: GroupProps) {
  const g = (isObject(value) ? value : {}) as Group;
  const sel = isObject(g.workerSelector) ? g.workerSelector : null;
  const setSel = (k: string, v: unknown) => {
    const next: Group = { ...sel, [k]: v };
    if (v === undefined) delete next[k];
    onChange({ ...g, workerSelector: next });
  };
  return (
    <div>
      <SelectField label="Routing" name="routing" value={g.routing ?? 'leastLoaded'} onChange={(v) => onChange({ ...g, routing: v })} options={ROUTING} error={problems.under('routing')} />
      <label className="check">
        <input type="checkbox" name="selector-on" checked={sel !== null} onChange={(e) => onChange({ ...g, workerSelector: e.target.checked ? {} : null })} /> Only some workers
      </label>
      {sel && (
        <>
          {problems.restUnder('workerSelector', ['workerSelector.labels', 'workerSelector.names']) && <p className="field-message">{problems.restUnder('workerSelector', ['workerSelector.labels', 'workerSelector.names'])}</p>}
          <div className="field-label">With every one of these labels</div>
          <KeyValueRows path="workerSelector.labels" value={sel.labels} onChange={(l) => setSel('labels', Object.keys(l).length ? l : undefined)} problems={problems} keyLabel="Label" valueLabel="Label value" addLabel="Add label" />
          <ListField label="And named one of" name="selector-names" value={sel.names} onChange={(n) => setSel('names', n)} error={problems.under('workerSelector.names')} empty={undefined} hint="worker names, comma-separated; empty: any name" />
        </>
      )}
    </div>
  );
}

export const HISTORY_KEYS = ['historyLimit', 'historyDays'];

/** `historyLimit` and `historyDays`: finished tasks kept; empty is the server's default. */
export function HistoryForm({ value, onChange, problems }: GroupProps) {
  const g = (isObject(value) ? value : {}) as Group;
  return (
    <div className="row">
      <NumberField label="Keep the newest" name="historyLimit" unit="tasks" value={g.historyLimit} onChange={(v) => onChange({ ...g, historyLimit: v })} hint="0-1000000; empty: the server's default" error={problems.under('historyLimit')} />
      <NumberField label="Keep for" name="historyDays" unit="days" value={g.historyDays} onChange={(v) => onChange({ ...g, historyDays: v })} hint="0-36500; empty: the server's default" error={problems.under('historyDays')} />
    </div>
  );
}

export const POLICY_KEYS = ['misfirePolicy', 'catchUpLimit', 'startingDeadlineSeconds', 'jitterSeconds', 'priority', 'maxOutputBytes'];

/** Scheduling policies besides overlap (on the main form), and how much output a task keeps. */
export function PoliciesForm({ value, onChange, problems }: GroupProps) {
  const g = (isObject(value) ? value : {}) as Group;
  const set = (k: string) => (v: unknown) => onChange({ ...g, [k]: v });
  return (
    <div className="row">
      <SelectField
        label="Missed runs (while no dispatcher ran)"
        name="misfirePolicy"
        value={g.misfirePolicy ?? 'runOnce'}
        onChange={set('misfirePolicy')}
        options={[
          ['runOnce', 'runOnce: run once for all of them'],
          ['skip', 'skip them'],
          ['catchUp', 'catchUp: run each, oldest first'],
        ]}
        error={problems.under('misfirePolicy')}
      />
      {g.misfirePolicy === 'catchUp' && <NumberField label="Catch up at most" name="catchUpLimit" unit="runs" value={g.catchUpLimit} onChange={set('catchUpLimit')} hint="1-1000" error={problems.under('catchUpLimit')} empty={undefined} />}
      <NumberField label="Starting deadline" name="startingDeadlineSeconds" unit="s" value={g.startingDeadlineSeconds} onChange={set('startingDeadlineSeconds')} hint="skip a run later than this; empty: none" error={problems.under('startingDeadlineSeconds')} />
      <NumberField label="Jitter" name="jitterSeconds" unit="s" value={g.jitterSeconds} onChange={set('jitterSeconds')} hint="0-3600, added to every due time" error={problems.under('jitterSeconds')} empty={undefined} />
      <NumberField label="Priority" name="priority" value={g.priority} onChange={set('priority')} hint="-1000 to 1000; higher runs first when workers are full" error={problems.under('priority')} empty={undefined} />
      <NumberField label="Output kept" name="maxOutputBytes" unit="bytes" value={g.maxOutputBytes} onChange={set('maxOutputBytes')} hint="1024 to 67108864; empty: the server's default" error={problems.under('maxOutputBytes')} />
    </div>
  );
}
