import { useContext, useEffect, useMemo, useState, type FormEvent } from 'react';
import { isCronfleetApiError } from '@cronfleet/client';
import { RUNNER_NAMES, wallClock } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { CreateJobBody, CronJob, RunnerName, UpdateJobBody } from '../api/types';
import { useResource } from '../app/hooks';
import { defaultNamespace, useNamespace } from '../app/namespace';
import { CallerContext } from '../app/role';
import { href, navigate } from '../app/router';
import { ErrorNote, Field, PageHeader } from '../components/ui';
import { useToast } from '../components/toasts';
import { Problems } from '../components/forms/errors';
import { AdvancedSettings, SETTING_FIELDS, settingsBody, settingValues } from '../components/forms/AdvancedSettings';

/** Fields of the main form (the rest are the advanced settings'). */
const MAIN_FIELDS = ['namespace', 'name', 'schedule', 'timezone', 'runner', 'spec', 'timeoutSeconds', 'enabled', 'concurrencyPolicy'];

const SPEC_TEMPLATES: Record<(typeof RUNNER_NAMES)[number], object> = {
  command: { command: 'echo', args: ['hello from cronfleet'] },
  script: { interpreter: 'sh', content: 'echo "hello from cronfleet"\n' },
  docker: { image: 'busybox:latest', command: ['echo', 'hello'] },
  http: { url: 'http://127.0.0.1:9000/hook', method: 'POST' },
};

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** Create (`id` null) or edit a cron job, with the next 5 due times of the schedule as typed. */
export function JobEditor({ id }: { id: number | null }) {
  const existing = useResource(() => (id === null ? Promise.resolve(null) : api.cronjobs.get({ params: { id } })), [id]);
  if (id !== null && !existing.data) return <ErrorNote error={existing.error} />;
  return <JobForm key={id ?? 'new'} job={existing.data} />;
}

function JobForm({ job }: { job: CronJob | null }) {
  const toast = useToast();
  const scope = useNamespace();
  const caller = useContext(CallerContext);
  // A job's namespace is set when it is made and never changes.
  const [namespace, setNamespace] = useState(() => job?.namespace ?? defaultNamespace(scope, caller));
  const [name, setName] = useState(job?.name ?? '');
  const [schedule, setSchedule] = useState(job?.schedule ?? '*/5 * * * *');
  const [timezone, setTimezone] = useState(job?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
  const [runner, setRunner] = useState<RunnerName>(job?.runner ?? 'command');
  const [spec, setSpec] = useState(JSON.stringify(job?.spec ?? SPEC_TEMPLATES.command, null, 2));
  const [timeout, setTimeoutSeconds] = useState(job?.timeoutSeconds ? String(job.timeoutSeconds) : '');
  const [enabled, setEnabled] = useState(job?.enabled ?? true);
  const [concurrency, setConcurrency] = useState(job?.concurrencyPolicy ?? 'allow');
  // The advanced settings as the forms edit them, and as they were (an edit sends only what changed).
  const initialSettings = useMemo(() => (job ? settingValues(job) : null), [job]);
  const [settings, setSettings] = useState(() => settingValues(job));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  // The server's refusal (or what cannot be sent as it is) by field, shown under each field's input.
  const [problems, setProblems] = useState(new Problems());
  const [preview, setPreview] = useState<{ next: string[] } | { error: string } | null>(null);
  const zoneList = useMemo(zones, []);

  // The next 5 due times, asked of the server (its evaluator is the one that schedules) as the user
  // types; an existing job's `@every` grid starts at its createdAt, as its real runs do.
  useEffect(() => {
    if (!schedule.trim()) return setPreview(null);
    const t = window.setTimeout(() => {
      api.schedules.preview({ query: { schedule: schedule.trim(), timezone: timezone.trim() || 'UTC', count: 5, anchor: job?.createdAt } }).then(
        (r) => setPreview(r),
        (e: Error) => setPreview({ error: e.message }),
      );
    }, 250);
    return () => window.clearTimeout(t);
  }, [schedule, timezone, job?.createdAt]);

  const changeRunner = (r: RunnerName) => {
    setRunner(r);
    if (!job || job.runner !== r) setSpec(JSON.stringify(SPEC_TEMPLATES[r as (typeof RUNNER_NAMES)[number]] ?? {}, null, 2));
    else setSpec(JSON.stringify(job.spec, null, 2));
  };

  const parseJson = (text: string, field: string): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new Error(`${field}: not valid JSON (${(e as Error).message.replace(/; /g, ', ')})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${field}: must be a JSON object`);
    return v as Record<string, unknown>;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setProblems(new Problems());
    let body: Record<string, unknown>;
    try {
      // A number as typed (or the text, which the server refuses naming the field); empty: none.
      const timeoutSeconds = timeout.trim() === '' ? null : /^\d+$/.test(timeout.trim()) ? Number(timeout) : timeout.trim();
      const advanced = settingsBody(settings, initialSettings);
      if (!advanced.problems.empty) {
        setProblems(advanced.problems);
        return;
      }
      body = { ...advanced.body, ...(job || !scope.namespaces ? {} : { namespace }), name: name.trim(), schedule: schedule.trim(), timezone: timezone.trim(), runner, spec: parseJson(spec, 'spec'), timeoutSeconds, enabled, concurrencyPolicy: concurrency };
    } catch (err) {
      // "spec: not valid JSON (…)": on the Spec field.
      setProblems(Problems.of((err as Error).message));
      return;
    }
    setSaving(true);
    try {
      // Sent as typed (a number field may hold text): the server's refusal names each field it cannot take.
      const saved = job ? await api.cronjobs.update({ params: { id: job.id }, body: body as UpdateJobBody }) : await api.cronjobs.create({ body: body as CreateJobBody });
      toast('ok', `${saved.name} ${job ? 'saved' : 'created'}`);
      navigate(href(`/jobs/${saved.id}`));
    } catch (err) {
      setError(err as Error);
      if (isCronfleetApiError(err)) setProblems(Problems.of(err.message));
    } finally {
      setSaving(false);
    }
  };

  const fieldError = (f: string) => problems.under(f);
  // What no input shows: the page's note (a refusal that names no field, or one not on this form).
  const unplaced = isCronfleetApiError(error) ? (problems.outside([...MAIN_FIELDS, ...SETTING_FIELDS]).empty ? null : new Error(problems.outside([...MAIN_FIELDS, ...SETTING_FIELDS]).text)) : error;

  return (
    <form className="job-form" onSubmit={submit}>
      <PageHeader title={job ? `Edit ${job.name}` : 'New cron job'}>
        <a className="btn" href={job ? href(`/jobs/${job.id}`) : href('/jobs')}>
          Cancel
        </a>
        <button className="btn btn-primary" type="submit" disabled={saving}>
          {saving ? 'Saving…' : job ? 'Save' : 'Create'}
        </button>
      </PageHeader>
      <ErrorNote error={unplaced} />
      {!problems.empty && !unplaced && (
        <div className="error-note" role="alert">
          Not saved: {problems.list.length === 1 ? 'a field needs' : `${problems.list.length} fields need`} fixing, marked below.
        </div>
      )}
      <div className="form-grid">
        <div>
          {scope.namespaces && (
            <Field label="Namespace" hint={job ? 'set when the job was made; it cannot move' : 'cannot be changed once created'} error={fieldError('namespace')}>
              {job ? (
                <input name="namespace" value={job.namespace} readOnly />
              ) : (
                <select name="namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)}>
                  {scope.namespaces.map((n) => (
                    <option key={n.name}>{n.name}</option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label="Name" hint="Letters, digits, . _ - ; unique in its namespace" error={fieldError('name')}>
            <input name="name" required value={name} onChange={(e) => setName(e.target.value)} autoFocus={!job} />
          </Field>
          <Field label="Schedule" hint="cron (5 or 6 fields, seconds first), @hourly, @every 30s" error={fieldError('schedule')}>
            <input name="schedule" required value={schedule} onChange={(e) => setSchedule(e.target.value)} spellCheck={false} />
          </Field>
          <Field label="Time zone" error={fieldError('timezone')}>
            <input name="timezone" list="zones" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
            <datalist id="zones">
              {zoneList.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </Field>
          <div className="preview" aria-label="Next runs">
            <div className="field-label">Next 5 runs ({timezone || 'UTC'})</div>
            {preview && 'error' in preview && <div className="field-message">{preview.error}</div>}
            {preview && 'next' in preview && (
              <ol className="next-runs">
                {preview.next.map((n) => (
                  <li key={n}>{wallClock(n, timezone || 'UTC')}</li>
                ))}
              </ol>
            )}
          </div>
          <div className="row">
            <Field label="Timeout (s)" hint="empty: none" error={fieldError('timeoutSeconds')}>
              <input name="timeoutSeconds" inputMode="numeric" value={timeout} onChange={(e) => setTimeoutSeconds(e.target.value)} />
            </Field>
            <Field label="Overlapping runs" error={fieldError('concurrencyPolicy')}>
              <select name="concurrencyPolicy" value={concurrency} onChange={(e) => setConcurrency(e.target.value as CronJob['concurrencyPolicy'])}>
                <option value="allow">allow</option>
                <option value="forbid">forbid (skip while one runs)</option>
                <option value="replace">replace (stop the running one)</option>
              </select>
            </Field>
            <label className="check">
              <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> enabled
            </label>
          </div>
        </div>
        <div>
          <Field label="Runner">
            <select name="runner" value={runner} onChange={(e) => changeRunner(e.target.value as RunnerName)}>
              {/* A job of a plugin runner keeps it: plugin runners are chosen through the API or a job file. */}
              {[...RUNNER_NAMES, ...(job && !(RUNNER_NAMES as readonly string[]).includes(job.runner) ? [job.runner] : [])].map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </Field>
          <Field label="Spec (JSON)" error={fieldError('spec')} hint="checked against the runner's schema when saved">
            <textarea name="spec" rows={8} value={spec} onChange={(e) => setSpec(e.target.value)} spellCheck={false} />
          </Field>
        </div>
      </div>
      <h2>Advanced settings</h2>
      <AdvancedSettings values={settings} onChange={(id, v) => setSettings((all) => ({ ...all, [id]: v }))} problems={problems} storedSecrets={job?.secretEnvKeys ?? []} namespace={job?.namespace ?? namespace} />
    </form>
  );
}
