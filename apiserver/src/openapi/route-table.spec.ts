import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppModule, type Infrastructure } from '../app.module';
import { controllersOf, routesOf } from './nest-routes';
import { ROUTE_TABLE } from './route-table';

/**
 * The routes as Nest registers them, read from the decorators of every controller reachable from
 * AppModule. Building the module description needs no database: the infrastructure is only stored.
 */
function registeredRoutes() {
  const infra = { config: {}, tokens: { secretKey: randomBytes(32) }, instanceId: 'spec', dataSource: { options: {} }, lease: {}, events: {} } as unknown as Infrastructure;
  return routesOf(controllersOf(AppModule.forRoot(infra)));
}

describe('the route table', () => {
  const routes = registeredRoutes();

  it('documents every route Nest registers, and no route that does not exist', () => {
    const registered = new Set(routes.map((r) => r.key));
    const documented = new Set(Object.keys(ROUTE_TABLE));
    const undocumented = [...registered].filter((k) => !documented.has(k));
    const stale = [...documented].filter((k) => !registered.has(k));
    assert.deepEqual(undocumented, [], `routes without an entry in openapi/route-table.ts: ${undocumented.join(', ')}`);
    assert.deepEqual(stale, [], `entries in openapi/route-table.ts for routes that do not exist: ${stale.join(', ')}`);
    assert.ok(routes.length >= 30, `found only ${routes.length} routes: is the controller walk broken?`);
  });

  it('lists the status each route answers with when it succeeds', () => {
    for (const r of routes) {
      if (r.status === null) continue; // the handler sets its status itself
      assert.ok(ROUTE_TABLE[r.key]?.responses[r.status] !== undefined, `${r.key} answers ${r.status} (${r.controller}.${r.handler}) but its table entry does not list it`);
    }
  });

  it('finds the admin guard exemptions and the validating pipes', () => {
    const byKey = new Map(routes.map((r) => [r.key, r]));
    for (const open of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/docs', 'GET /api/docs/openapi.json']) assert.equal(byKey.get(open)?.isPublic, true, open);
    assert.equal(byKey.get('GET /api/v1/cronjobs')?.isPublic, false);
    const create = byKey.get('POST /api/v1/cronjobs')!;
    assert.ok(create.body, 'the body schema of POST /cronjobs comes from its ZodValidationPipe');
    assert.deepEqual(byKey.get('GET /api/v1/cronjobs/{id}')?.params.map((p) => [p.name, p.schema !== null]), [['id', true]]);
    assert.ok(byKey.get('GET /api/v1/schedules/preview')?.query);
  });
});
