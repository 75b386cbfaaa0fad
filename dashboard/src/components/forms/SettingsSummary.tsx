import type { CronJob } from '../../api/types';
import { isObject } from './inputs';
import { describeRule } from './NotifyForm';
import { describeRetry } from './RetryForm';
import { describeTriggers } from './TriggersForm';
import '../../forms.css';

const orDefault = (v: number | null, unit: string) => (v === null ? 'server default' : `${v} ${unit}`);

/** "the newest 50 tasks, for 7 days"; null parts are the server's defaults. */
function describeHistory(limit: number | null, days: number | null): string {
  if (limit === null && days === null) return "the server's defaults";
  return `${limit === null ? "the server's default number of tasks" : `the newest ${limit} tasks`}, ${days === null ? "for the server's default days" : `for ${days} days`}`;
}

/** A job's advanced settings in words, as the editor's forms set them (secret values never: names only). */
export function SettingsSummary({ job }: { job: CronJob }) {
  const sel = isObject(job.workerSelector) ? job.workerSelector : null;
  const labels = sel && isObject(sel.labels) ? Object.entries(sel.labels) : [];
  const names = sel && Array.isArray(sel.names) ? (sel.names as string[]) : [];
  const triggers = describeTriggers(job.triggers);
  const env = Object.entries(job.env ?? {});
  return (
    <dl className="settings-summary" data-testid="settings-summary">
      <dt>Retry</dt>
      <dd data-setting="retry">{describeRetry(job.retry)}</dd>
      <dt>Workers</dt>
      <dd data-setting="routing">
        {sel && (labels.length || names.length) ? `labelled ${labels.map(([k, v]) => `${k}=${String(v)}`).join(', ') || 'anything'}${names.length ? `, named ${names.join(' or ')}` : ''}` : 'any worker'}; routing {job.routing}
      </dd>
      <dt>Environment</dt>
      <dd data-setting="env">
        {env.length ? (
          env.map(([k, v]) => (
            <div key={k}>
              <code>
                {k}={v}
              </code>
            </div>
          ))
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
      <dt>Secret env</dt>
      <dd data-setting="secretEnv">{job.secretEnvKeys.length ? `${job.secretEnvKeys.join(', ')} (values never shown)` : <span className="muted">none</span>}</dd>
      <dt>Notifications</dt>
      <dd data-setting="notify">
        {job.notify.length ? (
          job.notify.map((r, i) => <div key={i}>{describeRule(r)}</div>)
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
      <dt>Triggers</dt>
      <dd data-setting="triggers">{triggers.length ? triggers.map((t) => <div key={t}>{t}</div>) : <span className="muted">none</span>}</dd>
      <dt>History kept</dt>
      <dd data-setting="history">{describeHistory(job.historyLimit, job.historyDays)}</dd>
      <dt>Policies</dt>
      <dd data-setting="policies">
        overlap {job.concurrencyPolicy}, missed runs {job.misfirePolicy}
        {job.misfirePolicy === 'catchUp' ? ` (at most ${job.catchUpLimit})` : ''}, deadline {job.startingDeadlineSeconds === null ? 'none' : `${job.startingDeadlineSeconds} s`}, jitter {job.jitterSeconds} s, priority {job.priority}, output kept:{' '}
        {orDefault(job.maxOutputBytes, 'bytes')}
      </dd>
    </dl>
  );
}
