import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { onSessionChange, signOut, token } from '../api/session';
import { ToastProvider } from '../components/toasts';
import { JobEditor } from '../pages/JobEditor';
import { JobPage } from '../pages/JobPage';
import { JobsPage } from '../pages/JobsPage';
import { SchedulerPage } from '../pages/SchedulerPage';
import { TaskPage } from '../pages/TaskPage';
import { TasksPage } from '../pages/TasksPage';
import { WorkersPage } from '../pages/WorkersPage';
import { WorkflowPage } from '../pages/WorkflowPage';
import { WorkflowRunPage } from '../pages/WorkflowRunPage';
import { WorkflowsPage } from '../pages/WorkflowsPage';
import { Login } from './Login';
import { CallerContext, type Caller } from './role';
import { href, useRoute, type Route } from './router';

const NAV = [
  ['jobs', 'Cron jobs'],
  ['tasks', 'Tasks'],
  ['workflows', 'Workflows'],
  ['workers', 'Workers'],
  ['scheduler', 'Scheduler'],
] as const;

function page({ path, query }: Route) {
  const [section = 'jobs', id, sub] = path;
  const n = Number(id);
  switch (section) {
    case 'jobs':
      if (id === 'new') return <JobEditor id={null} />;
      if (id && sub === 'edit') return <JobEditor id={n} />;
      if (id) return <JobPage key={n} id={n} />;
      return <JobsPage query={query} />;
    case 'tasks':
      return id ? <TaskPage key={n} id={n} /> : <TasksPage query={query} />;
    case 'workflows':
      return id ? <WorkflowPage key={id} idOrName={id} /> : <WorkflowsPage query={query} />;
    case 'workflow-runs':
      return id ? <WorkflowRunPage key={n} id={n} step={query.get('step')} /> : <WorkflowsPage query={query} />;
    case 'workers':
      return <WorkersPage />;
    case 'scheduler':
      return <SchedulerPage />;
    default:
      return <p>No such page. Go to the <a href={href('/jobs')}>cron jobs</a>.</p>;
  }
}

export function App() {
  const [signedIn, setSignedIn] = useState(token() !== null);
  const [expired, setExpired] = useState(false);
  useEffect(
    () =>
      onSessionChange((t) => {
        setExpired(t === null && signedIn);
        setSignedIn(t !== null);
      }),
    [signedIn],
  );
  const route = useRoute();
  const [caller, setCaller] = useState<Caller | null>(null);
  useEffect(() => {
    setCaller(null);
    if (signedIn) api.self().then(setCaller, () => undefined);
  }, [signedIn]);
  if (!signedIn) return <Login reason={expired ? 'Your token was refused (revoked or expired): sign in again.' : undefined} />;
  const section = route.path[0] === 'workflow-runs' ? 'workflows' : (route.path[0] ?? 'jobs');
  return (
    <CallerContext.Provider value={caller}>
      <ToastProvider>
        <header className="topbar">
          <a className="brand" href={href('/jobs')}>
            Cronfleet
          </a>
          <nav>
            {NAV.map(([k, label]) => (
              <a key={k} href={href(`/${k}`)} className={section === k ? 'active' : ''}>
                {label}
              </a>
            ))}
          </nav>
          <span className="spacer" />
          {caller && (
            <span className="muted" data-testid="caller">
              {caller.name} ({caller.role})
            </span>
          )}
          <a href="/api/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
          <button className="btn" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main>{page(route)}</main>
      </ToastProvider>
    </CallerContext.Provider>
  );
}
