import type { ComponentType } from 'react';
import { api } from '../../api/client';
import type { CronJob } from '../../api/types';
import { useResource } from '../../app/hooks';
import { Problems } from './errors';
import { EnvForm, envFits, SecretEnvForm, untypedSecrets } from './EnvForms';
import { isObject, sameJson } from './inputs';
import { NotifyForm, notifyFits, notifyFromView, untypedHeaders } from './NotifyForm';
import { ParamsForm, paramsFits } from './ParamsForm';
import { groupFits, HISTORY_KEYS, HistoryForm, POLICY_KEYS, PoliciesForm, ROUTING_KEYS, RoutingForm } from './PolicyForms';
import { RETRY_FIELDS, RetryForm, retryFits } from './RetryForm';
import { TRIGGER_LISTS, TriggersForm, triggersFits } from './TriggersForm';
import { Setting } from './Setting';

interface FormProps {
  value: unknown;
  onChange: (v: unknown) => void;
  problems: Problems;
  stored: readonly string[];
  jobNames: readonly string[];
}

/** One advanced setting: the job fields it edits (one as its value, or several as an object of them). */
interface SettingDef {
  id: string;
  title: string;
  hint: string;
  keys: readonly string[];
  /** The value of a new job: the server's defaults. */
  initial: unknown;
  /** The value the form edits, from the job as the API shows it. */
  fromJob?: (job: CronJob) => unknown;
  fits: (v: unknown) => string | null;
  /** Paths the form shows problems under (the rest show on the setting as a whole). */
  shown: (v: unknown) => string[];
  Form: ComponentType<FormProps>;
  json?: boolean;
}

const keysOf = (v: unknown, prefix: string) => (isObject(v) ? Object.keys(v).map((k) => `${prefix}.${k}`) : []);
const indexes = (v: unknown, prefix: string) => (Array.isArray(v) ? v.map((_, i) => `${prefix}.${i}`) : []);
const pick = (job: CronJob, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, (job as unknown as Record<string, unknown>)[k]]));

export const SETTINGS: readonly SettingDef[] = [
  { id: 'params', title: 'Parameters', hint: 'What a run may set (the Run dialog asks for them); each reaches the task as CRONFLEET_PARAM_<NAME>. Scheduled runs use the defaults.', keys: ['params'], initial: [], fits: paramsFits, shown: (v) => indexes(v, 'params'), Form: ParamsForm },
  { id: 'retry', title: 'Retry policy', hint: 'Failed, timed-out and lost attempts are tried again after a delay.', keys: ['retry'], initial: null, fits: retryFits, shown: (v) => (isObject(v) ? RETRY_FIELDS.map((f) => `retry.${f}`) : []), Form: RetryForm },
  { id: 'env', title: 'Environment', hint: "Variables every run gets (the spec's own env wins over these).", keys: ['env'], initial: {}, fits: (v) => envFits(v), shown: (v) => keysOf(v, 'env'), Form: EnvForm },
  {
    id: 'secretEnv',
    title: 'Secret environment',
    hint: 'Stored encrypted, given to the task over everything else, masked as *** in its output; never shown again, here or anywhere (no JSON view).',
    keys: ['secretEnv'],
    initial: undefined,
    fromJob: () => undefined,
    fits: () => null,
    shown: (v) => keysOf(v, 'secretEnv'),
    Form: ({ value, onChange, problems, stored }) => <SecretEnvForm value={value} onChange={onChange} problems={problems} stored={stored} />,
    json: false,
  },
  { id: 'notify', title: 'Notifications', hint: 'Where to say that a run failed, timed out, succeeded, …: a signed webhook, an email, or both. As JSON, a header value null is a stored one (never shown).', keys: ['notify'], initial: [], fromJob: (j) => notifyFromView(j.notify ?? []), fits: notifyFits, shown: (v) => indexes(v, 'notify'), Form: NotifyForm },
  {
    id: 'triggers',
    title: 'Triggers',
    hint: 'Cron jobs of this namespace to start when a task of this one has ended for good (after its last retry).',
    keys: ['triggers'],
    initial: {},
    fits: triggersFits,
    shown: () => TRIGGER_LISTS.map(([l]) => `triggers.${l}`),
    Form: ({ value, onChange, problems, jobNames }) => <TriggersForm value={value} onChange={onChange} problems={problems} jobNames={jobNames} />,
  },
  { id: 'routing', title: 'Workers and routing', hint: 'Which workers may run the tasks, and how one is picked.', keys: ROUTING_KEYS, initial: { routing: 'leastLoaded', workerSelector: null }, fits: groupFits(ROUTING_KEYS), shown: (v) => (isObject(v) && isObject(v.workerSelector) ? ROUTING_KEYS : ['routing']), Form: RoutingForm },
  { id: 'history', title: 'History kept', hint: 'Finished tasks the retention sweep keeps for this job (running ones are never deleted).', keys: HISTORY_KEYS, initial: { historyLimit: null, historyDays: null }, fits: groupFits(HISTORY_KEYS), shown: () => HISTORY_KEYS, Form: HistoryForm },
  {
    id: 'policies',
    title: 'Scheduling policies',
    hint: 'Missed runs, deadlines, jitter, priority and kept output.',
    keys: POLICY_KEYS,
    initial: { misfirePolicy: 'runOnce', catchUpLimit: 10, startingDeadlineSeconds: null, jitterSeconds: 0, priority: 0, maxOutputBytes: null },
    fits: groupFits(POLICY_KEYS),
    shown: (v) => POLICY_KEYS.filter((k) => k !== 'catchUpLimit' || (isObject(v) && v.misfirePolicy === 'catchUp')),
    Form: PoliciesForm,
  },
];

/** Every job field the advanced settings edit. */
export const SETTING_FIELDS = SETTINGS.flatMap((d) => d.keys);

export type SettingValues = Record<string, unknown>;

/** The values the forms start from: the job's, or a new job's defaults. */
export function settingValues(job: CronJob | null): SettingValues {
  return Object.fromEntries(SETTINGS.map((d) => [d.id, job ? (d.fromJob ? d.fromJob(job) : d.keys.length === 1 ? (job as unknown as Record<string, unknown>)[d.keys[0]] : pick(job, d.keys)) : d.initial]));
}

/**
 * The body fields of the settings: of a new job all of them, of an existing one only those changed
 * (a PATCH replaces a whole field: unchanged notify rules keep their stored header values, and the
 * secrets stay unless replaced). With what the forms cannot send as they are: a stored value to type again.
 */
export function settingsBody(values: SettingValues, initial: SettingValues | null): { body: Record<string, unknown>; problems: Problems } {
  const body: Record<string, unknown> = {};
  for (const d of SETTINGS) {
    const v = values[d.id];
    if (v === undefined || (initial && sameJson(v, initial[d.id]))) continue;
    if (d.keys.length === 1) body[d.keys[0]] = v;
    else Object.assign(body, v);
  }
  const untyped = [
    ...untypedSecrets(body.secretEnv).map((k) => ({ field: `secretEnv.${k}`, message: 'type its value again: stored secrets are never shown, and a save replaces them all' })),
    ...untypedHeaders(body.notify).map((field) => ({ field, message: 'type the header value again: stored values are never shown, and changed rules replace them all' })),
  ];
  return { body, problems: new Problems(untyped) };
}

/** The advanced settings of the job editor, each a form with an "Edit as JSON" view and the server's problems on its fields. */
export function AdvancedSettings({ values, onChange, problems, storedSecrets, namespace }: {
  values: SettingValues;
  onChange: (id: string, v: unknown) => void;
  problems: Problems;
  storedSecrets: readonly string[];
  namespace: string;
}) {
  const jobs = useResource(() => api.cronjobs.list({ query: { namespace, limit: 1000 } }), [namespace]);
  const jobNames = (jobs.data?.items ?? []).map((j) => j.name);
  return (
    <div className="settings" data-testid="advanced-settings">
      {SETTINGS.map((d) => {
        const v = values[d.id];
        const all = problems.within(d.keys).text || null;
        const rest = problems.within(d.keys, d.shown(v)).text || null;
        return (
          <Setting key={d.id} id={d.id} title={d.title} hint={d.hint} value={v} onChange={(x) => onChange(d.id, x)} problem={rest} allProblems={all} fits={d.fits} json={d.json}>
            <d.Form value={v} onChange={(x) => onChange(d.id, x)} problems={problems} stored={storedSecrets} jobNames={jobNames} />
          </Setting>
        );
      })}
    </div>
  );
}
