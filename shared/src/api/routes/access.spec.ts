import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resource, type ResourceKind } from '../access';
import { defineRoute, fullPath, type RouteContract } from '../contract';
import { ROLES, roleAllows } from '../roles';
import { routeList } from './index';

// Who may call each route is stated by its contract (`access`, `scope`) and nowhere else: the
// server's guard enforces it and the OpenAPI document shows it. These lists pin the policy down, so
// that a change of who may do what is a change here too, made on purpose.

const key = (r: RouteContract) => `${r.method} ${fullPath(r)}`;
const routes = routeList().map(({ route }) => route);
const withAccess = (access: string) => routes.filter((r) => r.access === access).map(key).sort();
const KINDS: readonly ResourceKind[] = ['cronjob', 'task', 'workflow', 'workflowRun', 'worker', 'token', 'namespace'];

describe('who may call each route', () => {
  it('states for every route a role, or public; and for every one that needs a token how it meets a namespace-scoped one, naming its resource by a parameter of the path', () => {
    for (const r of routes) {
      assert.ok(r.access === 'public' || ROLES.includes(r.access), `${key(r)}: access ${String(r.access)}`);
      if (r.access === 'public') {
        assert.equal(r.scope, undefined, `${key(r)} takes no token, so it meets no namespace`);
        continue;
      }
      const scope = r.scope;
      if (typeof scope === 'object') {
        assert.ok(KINDS.includes(scope.kind), `${key(r)}: kind ${scope.kind}`);
        assert.ok(r.path.includes(`:${scope.param}`), `${key(r)}: names its resource by :${scope.param}, which the path does not have`);
      } else {
        assert.ok(['any', 'scoped', 'cluster'].includes(scope), `${key(r)}: scope ${String(scope)}`);
        if (scope !== 'cluster') assert.ok(!/:(id|idOrName)\b/.test(r.path), `${key(r)}: names one resource, so it must say which kind`);
      }
    }
  });

  it('makes public only the probes, the metrics and these docs, none of them under /api/v1', () => {
    assert.deepEqual(withAccess('public'), ['GET /api/docs', 'GET /api/docs/:file', 'GET /api/docs/openapi.json', 'GET /healthz', 'GET /metrics', 'GET /readyz']);
    for (const r of routes) assert.equal(r.access === 'public', r.unprefixed === true, `${key(r)}: public exactly when outside /api/v1`);
  });

  it('lets viewers only read: every route that changes something needs operator or admin', () => {
    for (const r of routes) if (r.method !== 'GET') assert.ok(r.access === 'operator' || r.access === 'admin', `${key(r)} is ${r.access}`);
  });

  it('lets operators run, stop, drain and retry, and nothing more', () => {
    assert.deepEqual(withAccess('operator'), [
      'DELETE /api/v1/tasks/:id',
      'POST /api/v1/cronjobs/:id/pause',
      'POST /api/v1/cronjobs/:id/resume',
      'POST /api/v1/cronjobs/:id/run',
      'POST /api/v1/scheduler/start',
      'POST /api/v1/scheduler/stop',
      'POST /api/v1/tasks/:id/kill',
      'POST /api/v1/tasks/:id/retry',
      'POST /api/v1/tasks/:id/stop',
      'POST /api/v1/workers/:id/drain',
      'POST /api/v1/workers/:id/undrain',
      'POST /api/v1/workflow-runs/:id/kill',
      'POST /api/v1/workflow-runs/:id/retry',
      'POST /api/v1/workflow-runs/:id/stop',
      'POST /api/v1/workflows/:idOrName/runs',
    ]);
  });

  it('keeps to admins defining what runs (jobs, one-shot tasks, workflows), who joins (workers, tokens, namespaces), the audit log and retention', () => {
    assert.deepEqual(withAccess('admin'), [
      'DELETE /api/v1/cronjobs/:id',
      'DELETE /api/v1/namespaces/:name',
      'DELETE /api/v1/tokens/:id',
      'DELETE /api/v1/workers/:id',
      'DELETE /api/v1/workflows/:idOrName',
      'GET /api/v1/audit',
      'GET /api/v1/tokens',
      'PATCH /api/v1/cronjobs/:id',
      'PATCH /api/v1/namespaces/:name',
      'POST /api/v1/cronjobs',
      'POST /api/v1/cronjobs/:id/versions/:version/rollback',
      'POST /api/v1/namespaces',
      'POST /api/v1/retention/run',
      'POST /api/v1/tasks',
      'POST /api/v1/tasks/batch',
      'POST /api/v1/tokens',
      'POST /api/v1/workers/:id/reenrol',
      'POST /api/v1/workers/:id/revoke',
      'POST /api/v1/workflows',
      'PUT /api/v1/workflows/:idOrName',
    ]);
  });

  it('refuses a scoped token exactly the routes that act on the whole cluster (docs/namespaces.md lists them)', () => {
    assert.deepEqual(routes.filter((r) => r.scope === 'cluster').map(key).sort(), [
      'DELETE /api/v1/namespaces/:name',
      'GET /api/v1/audit',
      'GET /api/v1/loader',
      'PATCH /api/v1/namespaces/:name',
      'POST /api/v1/namespaces',
      'POST /api/v1/retention/run',
      'POST /api/v1/scheduler/start',
      'POST /api/v1/scheduler/stop',
      'POST /api/v1/workers/:id/reenrol',
      'POST /api/v1/workers/:id/revoke',
    ]);
  });

  it('does not compile a route without its access and scope, or whose scope names a parameter its path does not have', () => {
    // The checks are tsc's (tsconfig.test.json fails on an unused @ts-expect-error); at run time the routes are plain objects.
    const base = { method: 'GET', path: '/things/:name', tag: 't', summary: 'a thing', status: 204 } as const;
    // @ts-expect-error no access
    defineRoute({ ...base, scope: 'any' });
    // @ts-expect-error a role and no scope
    defineRoute({ ...base, access: 'viewer' });
    // @ts-expect-error public routes take no token, so meet no namespace
    defineRoute({ ...base, access: 'public', scope: 'any' });
    // @ts-expect-error the path names its resource by :name, not :id
    defineRoute({ ...base, access: 'viewer', scope: resource('namespace') });
    assert.equal(defineRoute({ ...base, access: 'viewer', scope: resource('namespace', 'name') }).scope.param, 'name');
  });

  it('orders the roles viewer < operator < admin', () => {
    assert.ok(roleAllows('admin', 'operator') && roleAllows('operator', 'viewer') && roleAllows('viewer', 'viewer'));
    assert.ok(!roleAllows('viewer', 'operator') && !roleAllows('operator', 'admin'));
  });
});
