import type { Problems } from './errors';
import { isObject, KeyValueRows } from './inputs';

export const TRIGGER_LISTS: readonly (readonly [string, string])[] = [
  ['onSuccess', 'On success'],
  ['onFailure', 'On failure (failed, timed out, lost or killed)'],
  ['onComplete', 'On completion (either)'],
];

type Entry = string | { job?: unknown; params?: unknown };

export const triggersFits = (v: unknown) =>
  v === null || (isObject(v) && Object.values(v).every((l) => l === undefined || (Array.isArray(l) && l.every((e) => typeof e === 'string' || isObject(e)))))
    ? null
    : 'triggers is an object of onSuccess, onFailure and onComplete lists of job names or { job, params }';

/**
 * `triggers`: the cron jobs (of this namespace) this one starts when a task of it has ended for good,
 * by outcome; each may give the started job values for its params.
 */
export function TriggersForm({ value, onChange, problems, jobNames }: { value: unknown; onChange: (v: unknown) => void; problems: Problems; jobNames: readonly string[] }) {
  const t = isObject(value) ? value : {};
  const setList = (list: string, entries: Entry[]) => {
    const next: Record<string, unknown> = { ...t, [list]: entries };
    if (entries.length === 0) delete next[list];
    onChange(next);
  };
  return (
    <div className="rows">
      <datalist id="trigger-jobs">
        {jobNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {TRIGGER_LISTS.map(([list, title]) => {
        const entries = (Array.isArray(t[list]) ? t[list] : []) as Entry[];
        const rest = problems.restUnder(`triggers.${list}`, entries.map((_, i) => `triggers.${list}.${i}`));
        return (
          <fieldset className="sub-card" key={list} data-list={list}>
            <legend>{title}</legend>
            {rest && <p className="field-message">{rest}</p>}
            {entries.map((e, i) => (
              <EntryRow key={i} path={`triggers.${list}.${i}`} entry={e} problems={problems} onChange={(x) => setList(list, entries.map((y, j) => (j === i ? x : y)))} onRemove={() => setList(list, entries.filter((_, j) => j !== i))} />
            ))}
            <button type="button" className="btn btn-small" onClick={() => setList(list, [...entries, ''])}>
              Add job to start {title.split(' (')[0].toLowerCase()}
            </button>
          </fieldset>
        );
      })}
    </div>
  );
}

function EntryRow({ path, entry, onChange, onRemove, problems }: { path: string; entry: Entry; onChange: (e: Entry) => void; onRemove: () => void; problems: Problems }) {
  const job = typeof entry === 'string' ? entry : typeof entry.job === 'string' ? entry.job : '';
  const params = typeof entry === 'string' ? {} : entry.params;
  const own = problems.restUnder(path, [`${path}.params`]);
  return (
    <div className={`trigger-entry${own ? ' field-error' : ''}`} data-entry={path}>
      <div className="kv-row">
        <input aria-label={`${path} job`} list="trigger-jobs" value={job} placeholder="cron job name" spellCheck={false} onChange={(e) => onChange(typeof entry === 'string' ? e.target.value : { ...entry, job: e.target.value })} />
        <button type="button" className="btn btn-small" aria-label={`Remove ${job || 'entry'}`} onClick={onRemove}>
          ×
        </button>
        {own && <span className="field-message kv-message">{own}</span>}
      </div>
      <div className="trigger-params">
        <span className="field-hint">its params (empty: their defaults)</span>
        <KeyValueRows
          path={`${path}.params`}
          value={params}
          onChange={(p) => onChange(Object.keys(p).length || typeof entry !== 'string' ? { ...(typeof entry === 'string' ? {} : entry), job, params: p } : job)}
          problems={problems}
          keyLabel="Param"
          valueLabel="Param value"
          addLabel="Give a param"
          keyPlaceholder="NAME"
        />
      </div>
    </div>
  );
}

/** Triggers in words, one line per list: "On success → report (REGION=eu), cleanup". */
export function describeTriggers(v: unknown): string[] {
  if (!isObject(v)) return [];
  return TRIGGER_LISTS.filter(([list]) => Array.isArray(v[list]) && (v[list] as unknown[]).length).map(
    ([list, title]) =>
      `${title.split(' (')[0]} → ${(v[list] as Entry[])
        .map((e) => (typeof e === 'string' ? e : `${String(e.job)}${isObject(e.params) && Object.keys(e.params).length ? ` (${Object.entries(e.params).map(([k, x]) => `${k}=${String(x)}`).join(', ')})` : ''}`))
        .join(', ')}`,
  );
}
