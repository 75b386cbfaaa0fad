import { useEffect, useRef, useState } from 'react';
import { elapsedMs, FINAL_TASK_STATUSES } from '@cronfleet/shared/api';
import { api } from '../api/client';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { formatDuration, local } from '../app/format';
import { href } from '../app/router';
import { TaskActions } from '../components/TasksTable';
import { ErrorNote, NamespaceTag, PageHeader, StatusBadge, Time, WorkerLink } from '../components/ui';

/** The browser keeps the last 2 MiB of a task's output; the whole of it stays on the server. */
const MAX_SHOWN = 2 * 1024 * 1024;

/** One task: what it is, how it ended, its actions, and its output, live while it runs. */
export function TaskPage({ id }: { id: number }) {
  const task = useResource(() => api.tasks.get({ params: { id } }), [id]);
  // Its worker by name, as the lists say it.
  const workers = useResource(() => api.workers.list(), []);
  const refresh = useThrottled(task.reload, 500);
  useLiveEvents({ taskId: id, type: 'task.started,task.finished' }, refresh);
  const t = task.data;
  const ended = t ? FINAL_TASK_STATUSES.includes(t.status) : false;

  // A tick a second so the duration of a running task moves.
  const [, setNow] = useState(0);
  useEffect(() => {
    if (ended) return;
    const i = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(i);
  }, [ended]);

  if (!t) return <ErrorNote error={task.error} />;
  return (
    <div>
      <PageHeader
        title={
          <>
            Task #{t.id} <NamespaceTag name={t.namespace} /> <StatusBadge status={t.status} />
          </>
        }
      >
        <TaskActions task={t} reload={task.reload} />
      </PageHeader>
      <ErrorNote error={task.error} />
      <section className="card">
        <dl className="columns">
          <dt>{t.workflow ? 'Workflow' : 'Job'}</dt>
          <dd>
            {t.workflow ? (
              <a href={href(`/workflow-runs/${t.workflow.runId}`, { step: t.workflow.step })}>
                run #{t.workflow.runId}, step {t.workflow.step}
                {t.workflow.item !== null && ` [${t.workflow.item}]`}
              </a>
            ) : t.cronjobId ? (
              <a href={href(`/jobs/${t.cronjobId}`)}>{t.cronjobName}</a>
            ) : (
              'one-shot task'
            )}
          </dd>
          <dt>Trigger</dt>
          <dd>
            {t.trigger}, attempt {t.attempt}
            {t.retryOf && (
              <>
                {' '}
                (retry of <a href={href(`/tasks/${t.retryOf}`)}>#{t.retryOf}</a>)
              </>
            )}
          </dd>
          <dt>Runner</dt>
          <dd>{t.runner}</dd>
          <dt>Due</dt>
          <dd>{local(t.scheduledAt)}</dd>
          <dt>Started</dt>
          <dd>
            {local(t.startedAt)} {t.startedAt && <Time iso={t.startedAt} />}
          </dd>
          <dt>Finished</dt>
          <dd>{local(t.finishedAt)}</dd>
          <dt>Duration</dt>
          <dd data-testid="duration">{formatDuration(elapsedMs(t.startedAt, t.finishedAt, Date.now()))}</dd>
          <dt>Worker</dt>
          <dd data-testid="worker">
            <WorkerLink id={t.workerId} names={new Map(workers.data?.items.map((w) => [w.id, w.name]))} />
          </dd>
          <dt>Exit</dt>
          <dd data-testid="exit">{t.exitCode !== null ? `code ${t.exitCode}` : t.httpStatus !== null ? `HTTP ${t.httpStatus}` : t.signal ? `signal ${t.signal}` : '–'}</dd>
          {t.pendingReason && (
            <>
              <dt>Waiting</dt>
              <dd>{t.pendingReason}</dd>
            </>
          )}
          {t.error && (
            <>
              <dt>Error</dt>
              <dd className="error-text">
                {t.error.code ? `${t.error.code}: ` : ''}
                {t.error.message}
              </dd>
            </>
          )}
          {t.control && (
            <>
              <dt>Control</dt>
              <dd>
                {t.control.action} requested {local(t.control.requestedAt)}: {t.control.state}
              </dd>
            </>
          )}
        </dl>
      </section>
      <Output id={id} live={!ended} onEnd={task.reload} />
    </div>
  );
}

function Output({ id, live, onEnd }: { id: number; live: boolean; onEnd: () => void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'loading' | 'following' | 'done' | 'retrying'>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [follow, setFollow] = useState(true);
  const pre = useRef<HTMLPreElement>(null);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;

  useEffect(() => {
    const abort = new AbortController();
    const cap = (s: string) => (s.length > MAX_SHOWN ? s.slice(s.length - MAX_SHOWN) : s);
    if (!live) {
      setState('loading');
      api.tasks.output({ params: { id } }).then(
        (s) => (setText(cap(s)), setState('done')),
        (e: Error) => (setError(e), setState('done')),
      );
      return () => abort.abort();
    }
    // Following sends what is stored, then live chunks, then `end`; a stream that breaks before `end`
    // (or that the server drops, a reader too slow) fails, and following again starts over.
    let retry: number | null = null;
    const start = async () => {
      setText('');
      setState('following');
      let buffered = '';
      let flush: number | null = null;
      for await (const m of api.followOutput(id, { signal: abort.signal })) {
        if (m.event === 'output') {
          buffered += m.data.data;
          // Many small chunks render once per frame, not once each.
          flush ??= window.requestAnimationFrame(() => {
            const add = buffered;
            buffered = '';
            flush = null;
            setText((s) => cap(s + add));
          });
        } else {
          setState('done');
          endRef.current();
        }
      }
    };
    const follow = (): void =>
      void start().catch((e: Error) => {
        if (abort.signal.aborted) return;
        setError(e);
        setState('retrying');
        retry = window.setTimeout(follow, 2000);
      });
    follow();
    return () => {
      abort.abort();
      if (retry !== null) window.clearTimeout(retry);
    };
  }, [id, live]);

  useEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text, follow]);

  return (
    <section>
      <div className="output-header">
        <h2>Output</h2>
        <span className={`live live-${state === 'following' ? 'live' : state}`} data-testid="output-state">
          {state === 'following' ? 'live' : state}
        </span>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <a className="btn small" href={`/api/v1/tasks/${id}/output`} onClick={(e) => (e.preventDefault(), void download(id))}>
          Download
        </a>
      </div>
      <ErrorNote error={error} />
      <pre className="output" ref={pre} data-testid="output">
        {text || (state === 'done' ? '(no output)' : '')}
      </pre>
    </section>
  );
}

/** The whole stored output as a file (fetched with the token, which a plain link cannot send). */
async function download(id: number): Promise<void> {
  const text = await api.tasks.output({ params: { id } });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `task-${id}.log`;
  a.click();
  URL.revokeObjectURL(url);
}
