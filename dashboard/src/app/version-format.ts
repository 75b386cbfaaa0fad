import { ellipsis } from '@cronfleet/shared/api';
import type { CronJobVersion, FieldChange } from '../api/types';

/** What a version list says a version was: its kind, with a pause or resume named as such. */
export type VersionLabel = CronJobVersion['kind'] | 'paused' | 'resumed';

/** The server records a pause or resume as `updated` with `enabled` as its only change; say which. */
export function versionLabel(v: Pick<CronJobVersion, 'kind' | 'changes'>): VersionLabel {
  if (v.kind !== 'updated' || v.changes.length !== 1 || v.changes[0].field !== 'enabled') return v.kind;
  return v.changes[0].after === false ? 'paused' : 'resumed';
}

/** Longest value a change line shows before cutting it (the whole value is on hover). */
export const VALUE_CHARS = 60;

/** A changed value as JSON on one line, cut to `max` characters with an ellipsis. */
export function valueText(value: unknown, max = VALUE_CHARS): { text: string; full: string } {
  const full = value === undefined ? 'null' : JSON.stringify(value);
  return { text: ellipsis(full, max), full };
}

/** A change's values, or nothing at all for a redacted one: only that it changed may be shown. */
export function changeValues(c: FieldChange): { before: ReturnType<typeof valueText>; after: ReturnType<typeof valueText> } | null {
  return c.redacted ? null : { before: valueText(c.before), after: valueText(c.after) };
}
