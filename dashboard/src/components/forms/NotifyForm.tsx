import type { Problems } from './errors';
import { isObject, KeyValueRows, ListField } from './inputs';
import { Field } from '../ui';

/** The events a rule may name (notifications/core/notify-rule.ts), with what each means. */
export const NOTIFY_EVENTS: readonly (readonly [string, string])[] = [
  ['failure', 'a run failed (after its last retry)'],
  ['timeout', 'a run timed out (after its last retry)'],
  ['lost', 'a run was lost with its worker (after its last retry)'],
  ['success', 'a run succeeded'],
  ['recovered', 'a run succeeded after one that did not'],
  ['attemptFailure', 'any attempt failed, timed out or was lost, retried or not'],
];

type Rule = Record<string, unknown>;

export const notifyFits = (v: unknown) => (Array.isArray(v) && v.every(isObject) ? null : 'notify is a list of { on, webhook?, email? }');

/**
 * The API shows a webhook's header names only; as the value edited here (and sent back) each is a
 * header whose value is null: stored, to be typed again if the rules are changed.
 */
export function notifyFromView(view: unknown[]): Rule[] {
  return view.filter(isObject).map((r) => {
    const { webhook, ...rest } = r;
    if (!isObject(webhook)) return r;
    const { headerNames, ...hook } = webhook;
    const names = Array.isArray(headerNames) ? (headerNames as string[]) : [];
    return { ...rest, webhook: names.length ? { ...hook, headers: Object.fromEntries(names.map((n) => [n, null])) } : hook };
  });
}

/** Paths of stored header values not typed again, e.g. `notify.0.webhook.headers.Authorization`. */
export function untypedHeaders(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r, i) => {
    const headers = isObject(r) && isObject(r.webhook) && isObject(r.webhook.headers) ? r.webhook.headers : {};
    return Object.keys(headers).filter((h) => headers[h] === null).map((h) => `notify.${i}.webhook.headers.${h}`);
  });
}

/** `notify`: rules of which events go where, a webhook, an email, or both. */
export function NotifyForm({ value, onChange, problems }: { value: unknown; onChange: (v: unknown) => void; problems: Problems }) {
  const rules = (Array.isArray(value) ? value : []) as Rule[];
  const set = (i: number, r: Rule) => onChange(rules.map((x, j) => (j === i ? r : x)));
  return (
    <div className="rows">
      {rules.length === 0 && <p className="muted">No notifications.</p>}
      {rules.map((r, i) => (
        <RuleRow key={i} index={i} rule={r} onChange={(x) => set(i, x)} onRemove={() => onChange(rules.filter((_, j) => j !== i))} problems={problems} />
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rules, { on: ['failure'], webhook: { url: '' } }])}>
        Add notification rule
      </button>
    </div>
  );
}

function RuleRow({ index: i, rule: r, onChange, onRemove, problems }: { index: number; rule: Rule; onChange: (r: Rule) => void; onRemove: () => void; problems: Problems }) {
  const path = `notify.${i}`;
  const on = Array.isArray(r.on) ? (r.on as unknown[]) : [];
  const hook = isObject(r.webhook) ? r.webhook : null;
  const email = isObject(r.email) ? r.email : null;
  const without = (k: string) => Object.fromEntries(Object.entries(r).filter(([key]) => key !== k));
  const toggle = (event: string, checked: boolean) => onChange({ ...r, on: checked ? [...on, event] : on.filter((e) => e !== event) });
  const rest = problems.restUnder(path, [`${path}.on`, `${path}.webhook.url`, `${path}.webhook.headers`, `${path}.email.to`]);
  return (
    <fieldset className="sub-card" data-rule={i}>
      <legend>Rule {i + 1}</legend>
      {rest && <p className="field-message">{rest}</p>}
      <div className={`checks${problems.under(`${path}.on`) ? ' field-error' : ''}`} role="group" aria-label={`Rule ${i + 1} events`}>
        {NOTIFY_EVENTS.map(([event, meaning]) => (
          <label className="check" key={event} title={meaning}>
            <input type="checkbox" name={`notify-${i}-on-${event}`} checked={on.includes(event)} onChange={(e) => toggle(event, e.target.checked)} /> {event}
          </label>
        ))}
        {problems.under(`${path}.on`) && <span className="field-message">{problems.under(`${path}.on`)}</span>}
      </div>
      <label className="check">
        <input type="checkbox" name={`notify-${i}-webhook`} checked={hook !== null} onChange={(e) => onChange(e.target.checked ? { ...r, webhook: { url: '' } } : without('webhook'))} /> Webhook (a signed JSON POST)
      </label>
      {hook && (
        <>
          <Field label="Webhook URL" error={problems.under(`${path}.webhook.url`)}>
            <input name={`notify-${i}-url`} value={typeof hook.url === 'string' ? hook.url : ''} placeholder="https://…" onChange={(e) => onChange({ ...r, webhook: { ...hook, url: e.target.value } })} spellCheck={false} />
          </Field>
          <div className="field-label">Headers (values are never shown back)</div>
          <KeyValueRows
            path={`${path}.webhook.headers`}
            value={hook.headers}
            onChange={(h) => onChange({ ...r, webhook: Object.keys(h).length ? { ...hook, headers: h } : Object.fromEntries(Object.entries(hook).filter(([k]) => k !== 'headers')) })}
            problems={problems}
            keyLabel="Header"
            valueLabel="Header value"
            addLabel="Add header"
            secret
          />
        </>
      )}
      <label className="check">
        <input type="checkbox" name={`notify-${i}-email`} checked={email !== null} onChange={(e) => onChange(e.target.checked ? { ...r, email: { to: [] } } : without('email'))} /> Email
      </label>
      {email && <ListField label="Email to" name={`notify-${i}-to`} value={email.to} onChange={(to) => onChange({ ...r, email: { ...email, to: to ?? [] } })} error={problems.under(`${path}.email.to`)} empty={[]} placeholder="ops@example.com, …" />}
      <button type="button" className="btn btn-small" onClick={onRemove}>
        Remove rule {i + 1}
      </button>
    </fieldset>
  );
}

/** A rule in words: "failure, timeout → webhook https://… (headers Authorization), email ops@x". */
export function describeRule(r: unknown): string {
  if (!isObject(r)) return JSON.stringify(r);
  const where = [
    isObject(r.webhook) ? `webhook ${String(r.webhook.url)}${Array.isArray(r.webhook.headerNames) && r.webhook.headerNames.length ? ` (headers ${r.webhook.headerNames.join(', ')})` : ''}` : null,
    isObject(r.email) && Array.isArray(r.email.to) ? `email ${r.email.to.join(', ')}` : null,
  ].filter(Boolean);
  return `${Array.isArray(r.on) ? r.on.join(', ') : '?'} → ${where.join('; ')}`;
}
