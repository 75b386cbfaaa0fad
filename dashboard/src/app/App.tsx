import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Namespace } from '../api/types';
import { onSessionChange, signOut, token } from '../api/session';
import { ToastProvider } from '../components/toasts';
import { JobEditor } from '../pages/JobEditor';
import { JobPage } from '../pages/JobPage';
import { JobsPage } from '../pages/JobsPage';
import { NamespacesPage } from '../pages/NamespacesPage';
import { SchedulerPage } from '../pages/SchedulerPage';
import { TaskPage } from '../pages/TaskPage';
import { TasksPage } from '../pages/TasksPage';
import { WorkersPage } from '../pages/WorkersPage';
import { WorkflowPage } from '../pages/WorkflowPage';
import { WorkflowRunPage } from '../pages/WorkflowRunPage';
import { WorkflowsPage } from '../pages/WorkflowsPage';
import { Login } from './Login';
import { NamespaceContext, isClusterWide, resolvePick, storePick, storedPick, type NamespaceScope } from './namespace';
import { CallerContext, type Caller } from './role';
import { href, useRoute, type Route } from './router';

const NAV = [
  ['jobs', 'Cron jobs'],
  ['tasks', 'Tasks'],
  ['workflows', 'Workflows'],
  ['workers', 'Workers'],
  ['namespaces', 'Namespaces'],
  ['scheduler', 'Scheduler'],
] as const;

function page({ path, query }: Route) {
  const [section = 'jobs', id, sub] = path;
  const n = Number(id);
  switch (section) {
    case 'jobs':
      if (id === 'new') return <JobEditor id={null} />;
      if (id && sub === 'edit') return <JobEditor id={n} />;
      if (id) return <JobPage key={n} id={n} version={query.has('version') ? Number(query.get('version')) : null} />;
      return <JobsPage query={query} />;
    case 'tasks':
      return id ? <TaskPage key={n} id={n} /> : <TasksPage query={query} />;
    case 'workflows':
      return id ? <WorkflowPage key={id} idOrName={id} /> : <WorkflowsPage query={query} />;
    case 'workflow-runs':
      return id ? <WorkflowRunPage key={n} id={n} step={query.get('step')} /> : <WorkflowsPage query={query} />;
    case 'workers':
      return <WorkersPage />;
    case 'namespaces':
      return <NamespacesPage />;
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
  // The phone-width menu (styles.css): open from its button, closed by going to a page.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route]);
  const [caller, setCaller] = useState<Caller | null>(null);
  // null: not read yet; { list: null }: the server has no namespaces (one before them), or refused.
  const [namespaces, setNamespaces] = useState<{ list: Namespace[] | null } | null>(null);
  const [picked, setPicked] = useState(storedPick);
  const loadNamespaces = useCallback(() => {
    api.namespaces.list().then(
      (r) => setNamespaces({ list: r.items }),
      () => undefined,
    );
  }, []);
  // Who the token is and what it sees, both before the pages: a scoped token's pick is its namespace.
  useEffect(() => {
    setCaller(null);
    setNamespaces(null);
    if (!signedIn) return;
    let gone = false;
    void Promise.all([api.tokens.self().catch(() => null), api.namespaces.list().then((r) => r.items, () => null)]).then(([c, list]) => {
      if (gone) return;
      setCaller(c);
      setNamespaces({ list });
    });
    return () => void (gone = true);
  }, [signedIn]);
  const scope = useMemo<NamespaceScope>(
    () => ({
      current: resolvePick(picked, namespaces?.list ?? null, caller),
      namespaces: namespaces?.list ?? null,
      clusterWide: isClusterWide(caller),
      pick: (name) => (storePick(name), setPicked(name)),
      reload: loadNamespaces,
    }),
    [picked, namespaces, caller, loadNamespaces],
  );
  if (!signedIn) return <Login reason={expired ? 'Your token was refused (revoked or expired): sign in again.' : undefined} />;
  const section = route.path[0] === 'workflow-runs' ? 'workflows' : (route.path[0] ?? 'jobs');
  const nav = NAV.filter(([k]) => k !== 'namespaces' || scope.namespaces !== null);
  return (
    <CallerContext.Provider value={caller}>
      <NamespaceContext.Provider value={scope}>
        <ToastProvider>
          <header className="topbar">
            <a className="brand" href={href('/jobs')}>
              Cronfleet
            </a>
            <NamespacePicker scope={scope} />
            <button className="btn menu-toggle" aria-expanded={menuOpen} aria-controls="topbar-menu" onClick={() => setMenuOpen((o) => !o)}>
              Menu
            </button>
            {/* Wide: one row; narrower: the links on a row of their own; phone width: behind Menu. */}
            <div id="topbar-menu" className={`topbar-menu${menuOpen ? ' open' : ''}`}>
              <nav>
                {nav.map(([k, label]) => (
                  <a key={k} href={href(`/${k}`)} className={section === k ? 'active' : ''} aria-current={section === k ? 'page' : undefined}>
                    {label}
                  </a>
                ))}
              </nav>
              <div className="account">
                {caller && (
                  <span className="muted caller" data-testid="caller" title={caller.namespace ? `token of namespace ${caller.namespace}` : undefined}>
                    {caller.name} ({caller.role}){caller.namespace ? ` · ${caller.namespace}` : ''}
                  </span>
                )}
                <a href="/api/docs" target="_blank" rel="noreferrer">
                  API docs
                </a>
                <button className="btn" onClick={signOut}>
                  Sign out
                </button>
              </div>
            </div>
          </header>
          {/* Pages wait for the namespaces so their first list call already has the right filter. */}
          <main>{namespaces && page(route)}</main>
        </ToastProvider>
      </NamespaceContext.Provider>
    </CallerContext.Provider>
  );
}

/** The namespace the pages show; "All namespaces" only for a cluster-wide token. Hidden on a server without namespaces. */
function NamespacePicker({ scope }: { scope: NamespaceScope }) {
  if (!scope.namespaces) return null;
  const only = !scope.clusterWide && scope.namespaces.length <= 1;
  return (
    <select className="ns-picker" aria-label="Namespace" value={scope.current ?? ''} disabled={only} title={only ? 'this token sees one namespace' : 'the namespace the pages show'} onChange={(e) => scope.pick(e.target.value || null)}>
      {scope.clusterWide && <option value="">All namespaces</option>}
      {scope.namespaces.map((n) => (
        <option key={n.name} value={n.name}>
          {n.name}
        </option>
      ))}
    </select>
  );
}
