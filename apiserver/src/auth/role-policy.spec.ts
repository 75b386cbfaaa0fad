import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROUTE_SCOPE } from './namespace-access';
import { accessFor, ROUTE_ACCESS, routeKey } from './role-policy';
import { fullPath, roleAllows, routeList } from '@cronfleet/shared';

/** Every route of API_ROUTES by its key, `POST /api/v1/cronjobs/{id}/run`. */
const contracts = new Map(routeList().map(({ route }) => [routeKey(route.method, fullPath(route)), route]));

describe('the role policy', () => {
  it('gives every route of API_ROUTES a role, and lists no route that is not there', () => {
    const missing = [...contracts.keys()].filter((k) => !(k in ROUTE_ACCESS));
    const stale = Object.keys(ROUTE_ACCESS).filter((k) => !contracts.has(k));
    assert.deepEqual(missing, [], `routes without a role in auth/role-policy.ts: ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `roles in auth/role-policy.ts for routes that do not exist: ${stale.join(', ')}`);
  });

  it('says how every route that needs a token meets a token scoped to one namespace, naming its resource by a parameter of the route', () => {
    const needToken = Object.keys(ROUTE_ACCESS).filter((k) => ROUTE_ACCESS[k] !== 'public');
    assert.deepEqual(needToken.filter((k) => !(k in ROUTE_SCOPE)), [], 'routes missing from ROUTE_SCOPE in auth/namespace-access.ts');
    assert.deepEqual(Object.keys(ROUTE_SCOPE).filter((k) => !needToken.includes(k)), [], 'ROUTE_SCOPE lists routes that are public or do not exist');
    for (const [key, scope] of Object.entries(ROUTE_SCOPE)) {
      if (typeof scope === 'object') assert.ok(key.includes(`{${scope.param}}`), `${key}: names its resource by {${scope.param}}, which the path does not have`);
      else if (scope === 'scoped' || scope === 'any') assert.ok(!/\{id\}|\{idOrName\}/.test(key), `${key}: names one resource, so it must say which kind`);
    }
  });

  it('makes public exactly the routes whose contract is public (what the OpenAPI document says)', () => {
    for (const [key, route] of contracts) assert.equal(ROUTE_ACCESS[key] === 'public', route.public === true, `${key}: role policy and the contract's public disagree`);
  });

  it('lets viewers only read: every route that changes something needs operator or admin', () => {
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
      if (!key.startsWith('GET ')) assert.ok(access === 'operator' || access === 'admin', `${key} is ${access}`);
    }
  });

  it('lets operators run and stop but not define jobs, tokens or workers', () => {
    for (const k of ['POST /api/v1/cronjobs/{id}/run', 'POST /api/v1/cronjobs/{id}/pause', 'POST /api/v1/tasks/{id}/kill', 'POST /api/v1/tasks/{id}/retry', 'POST /api/v1/workers/{id}/drain', 'POST /api/v1/scheduler/stop',
      'POST /api/v1/workflows/{idOrName}/runs', 'POST /api/v1/workflow-runs/{id}/kill', 'POST /api/v1/workflow-runs/{id}/stop', 'POST /api/v1/workflow-runs/{id}/retry']) {
      assert.equal(ROUTE_ACCESS[k], 'operator', k);
    }
    for (const k of ['POST /api/v1/cronjobs', 'PATCH /api/v1/cronjobs/{id}', 'DELETE /api/v1/cronjobs/{id}', 'POST /api/v1/cronjobs/{id}/versions/{version}/rollback', 'POST /api/v1/retention/run', 'POST /api/v1/tokens', 'GET /api/v1/tokens', 'DELETE /api/v1/tokens/{id}', 'DELETE /api/v1/workers/{id}', 'GET /api/v1/audit',
      'POST /api/v1/workflows', 'PUT /api/v1/workflows/{idOrName}', 'DELETE /api/v1/workflows/{idOrName}']) {
      assert.equal(ROUTE_ACCESS[k], 'admin', k);
    }
  });

  it("reads the route's pattern as the table's key, and asks admin for a route it does not know", () => {
    assert.equal(routeKey('post', '/api/v1/cronjobs/:id/run'), 'POST /api/v1/cronjobs/{id}/run');
    assert.equal(accessFor('GET /api/v1/not-in-the-table'), 'admin');
    assert.equal(accessFor('GET /api/v1/constructor'), 'admin');
  });

  it('orders the roles viewer < operator < admin', () => {
    assert.ok(roleAllows('admin', 'operator') && roleAllows('operator', 'viewer') && roleAllows('viewer', 'viewer'));
    assert.ok(!roleAllows('viewer', 'operator') && !roleAllows('operator', 'admin'));
  });
});
