import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { CronJob, JobParam, RunJobBody, Workflow, WorkflowRun } from '../api/types';
import { useAllowed } from '../app/role';
import { href, navigate } from '../app/router';
import { ActionButton, ErrorNote, Field } from './ui';
import { useToast } from './toasts';
import { Problems } from './forms/errors';
import { KeyValueRows } from './forms/inputs';

/**
 * "Run now" for a job: straight away for a job without params, else a dialog with a form built from
 * its params. `overrides` (admins only) opens the dialog also for a job without params, with the
 * free-form arguments and environment overrides, which change what runs.
 */
export function RunNowButton({ job, kind = 'plain', overrides = false, done }: { job: CronJob; kind?: 'plain' | 'primary'; overrides?: boolean; done?: (taskId: number) => string }) {
  const [open, setOpen] = useState(false);
  const isAdmin = useAllowed('admin');
  const allowed = useAllowed('operator');
  const message = done ?? ((taskId: number) => `task #${taskId} created`);
  const params = job.params ?? [];
  if (!allowed || (overrides && !isAdmin)) return null;
  if (params.length === 0 && !overrides) return <ActionButton label="Run now" kind={kind} action={() => api.cronjobs.run({ params: { id: job.id }, body: {} })} done={(r) => message((r as { taskId: number }).taskId)} />;
  return (
    <>
      <button className={`btn btn-${kind}`} onClick={() => setOpen(true)}>
        {overrides ? 'Run with overrides…' : 'Run now…'}
      </button>
      {open && (
        <RunDialog
          name={job.name}
          owner="job"
          params={params}
          overrides={isAdmin}
          run={async (body) => message((await api.cronjobs.run({ params: { id: job.id }, body })).taskId)}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * "Run now" for a workflow, then to the run's page: straight away for a workflow without params,
 * else the same dialog as a job's, with its params only (a workflow run has no free-form overrides).
 */
export function WorkflowRunButton({ workflow: w }: { workflow: Workflow }) {
  const [open, setOpen] = useState(false);
  const allowed = useAllowed('operator');
  const params = w.params ?? [];
  if (!allowed) return null;
  const start = async (body = {}): Promise<WorkflowRun> => {
    const run = await api.workflows.run({ params: { idOrName: String(w.id) }, body });
    navigate(href(`/workflow-runs/${run.id}`));
    return run;
  };
  if (params.length === 0) return <ActionButton label="Run now" kind="primary" action={() => start()} done={(r) => `run #${(r as WorkflowRun).id} started`} />;
  return (
    <>
      <button className="btn btn-primary" onClick={() => setOpen(true)}>
        Run now…
      </button>
      {open && <RunDialog name={w.name} owner="workflow" params={params} overrides={false} run={async (body) => `run #${(await start({ params: body.params })).id} started`} onClose={() => setOpen(false)} />}
    </>
  );
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/**
 * The run form: an input per declared param (a select for an enum), and for admins running a job the
 * free-form overrides. `run` sends the body and gives the toast; the server's refusal is shown under
 * the param it names.
 */
function RunDialog({ name, owner, params, overrides, run, onClose }: {
  name: string;
  owner: 'job' | 'workflow';
  params: JobParam[];
  overrides: boolean;
  run: (body: RunJobBody) => Promise<string>;
  onClose: () => void;
}) {
  const toast = useToast();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(params.map((p) => [p.name, p.default ?? ''])));
  const [args, setArgs] = useState('');
  const [env, setEnv] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  // The server names the field first: "params.REGION: must be one of eu, us"; several are joined by "; ".
  const problems = Problems.of(error?.message);
  // Params changed since the refusal: their problem is not shown any more (the next run checks them again).
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setEdited(new Set());
    const body: RunJobBody = {};
    // An empty input leaves the param to its default (or unset); the server refuses a required one.
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    if (Object.keys(given).length) body.params = given;
    if (overrides && lines(args).length) body.args = lines(args);
    if (overrides && Object.keys(env).length) body.env = env as Record<string, string>;
    setBusy(true);
    try {
      toast('ok', await run(body));
      onClose();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const rest = problems.outside([...params.map((p) => `params.${p.name}`), 'args', 'env']);
  const unplaced = error && !rest.empty ? new Error(rest.text) : null;
  return (
    <div className="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <form className="dialog card" role="dialog" aria-modal="true" aria-label={`Run ${name}`} onSubmit={submit}>
        <h2>Run {name}</h2>
        <ErrorNote error={unplaced} />
        {params.length > 0 && (
          <fieldset>
            <legend>
              Parameters <span className="run-kind">declared by the {owner}, checked against it</span>
            </legend>
            <p className="field-hint">
              Each reaches {owner === 'job' ? 'the task' : 'every task of the run'} as the environment variable CRONFLEET_PARAM_&lt;NAME&gt;; an empty one gets its default. * required.
            </p>
            {params.map((p) => (
              <ParamInput key={p.name} param={p} value={values[p.name] ?? ''} onChange={(v) => (setValues((all) => ({ ...all, [p.name]: v })), setEdited((s) => new Set(s).add(p.name)))} error={edited.has(p.name) ? null : problems.within([`params.${p.name}`]).text || null} />
            ))}
          </fieldset>
        )}
        {overrides && (
          <fieldset>
            <legend>
              Admin overrides <span className="run-kind">free-form, for this run only</span>
            </legend>
            <p className="field-hint">Not declared by the job: they change what runs, so only admins may send them. Empty: the spec as it is.</p>
            <Field label="Arguments (one per line, replace the spec's args)" error={problems.within(['args']).text || null}>
              <textarea name="args" rows={3} value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} />
            </Field>
            <div className="field-label">Environment (over the spec's env)</div>
            {problems.restUnder('env', Object.keys(env).map((k) => `env.${k}`)) && <span className="field-message">{problems.restUnder('env', Object.keys(env).map((k) => `env.${k}`))}</span>}
            <KeyValueRows path="env" value={env} onChange={setEnv} problems={problems} keyLabel="Variable" valueLabel="Value" addLabel="Add variable" keyPlaceholder="NAME" />
          </fieldset>
        )}
        <div className="page-actions">
          <button className="btn" type="button" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? 'Running…' : 'Run'}
          </button>
        </div>
      </form>
    </div>
  );
}

function ParamInput({ param: p, value, onChange, error }: { param: JobParam; value: string; onChange: (v: string) => void; error: string | null }) {
  const hint = [p.description, p.default !== undefined ? `default: ${p.default}` : null, p.pattern !== undefined ? `pattern: ${p.pattern}` : null].filter(Boolean).join(' · ');
  return (
    <Field label={`${p.name}${p.required ? ' *' : ''}`} hint={hint || undefined} error={error}>
      {p.enum ? (
        <select name={`param-${p.name}`} value={value} onChange={(e) => onChange(e.target.value)} required={p.required && p.default === undefined}>
          {p.default === undefined && <option value="">{p.required ? 'choose…' : '(not set)'}</option>}
          {p.enum.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      ) : (
        <input name={`param-${p.name}`} value={value} onChange={(e) => onChange(e.target.value)} placeholder={p.default === undefined ? (p.required ? 'required' : '(not set)') : ''} spellCheck={false} />
      )}
    </Field>
  );
}
