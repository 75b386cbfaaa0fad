import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppModule, type Infrastructure } from '../app.module';
import { controllersOf, routesOf } from './nest-routes';
import { ROUTE_TABLE } from './route-table';
import { takesQuery } from '../common/query-params.guard';

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
  const infra = { config: {}, tokens: { secretKey: randomBytes(32) }, instanceId: 'spec', dataSource: { options: {} }, lease: {}, events: {} } as unknown as Infrastructure;
  const controllerByName = new Map(controllersOf(AppModule.forRoot(infra)).map((c) => [c.name, c]));

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

  it('has every route that reads a query string refuse a name it does not take, as the guard does on the others', () => {
    for (const r of routes) {
      if (!r.query) {
        assert.equal(takesQuery(controllerByName.get(r.controller)!, r.handler), false, `${r.key} reads the query without a schema`);
        continue;
      }
      const got = r.query.safeParse({ limt: '5' });
      assert.equal(got.success, false, `${r.key} ignores an unknown query parameter`);
      assert.ok(got.error!.issues.some((i) => JSON.stringify(i).includes('limt')), `${r.key}: the refusal names the parameter`);
    }
  });

  it('reads ids only in plain decimal digits: 01 and " 1" are refused, naming the parameter', () => {
    for (const r of routes) {
      for (const p of r.params) {
        if (!p.schema || r.path.includes('{idOrName}') || r.path.includes('{name}') || r.path.includes('{file}')) continue;
        for (const v of ['01', ' 1']) assert.equal(p.schema.safeParse(v).success, false, `${r.key} {${p.name}} = '${v}'`);
      }
    }
  });
});
