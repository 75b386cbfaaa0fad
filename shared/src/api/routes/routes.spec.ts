import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullPath } from '../contract';
import { API_ROUTES, routeList } from './index';

const key = (r: { method: string; path: string; unprefixed?: boolean }) => `${r.method} ${fullPath(r)}`;

describe('the route contracts', () => {
  const routes = routeList();

  it('state each method and path once, with a params member for every path parameter and none other', () => {
    assert.equal(new Set(routes.map((r) => key(r.route))).size, routes.length, 'a METHOD /path stated twice');
    for (const { group, name, route } of routes) {
      const inPath = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      assert.deepEqual(Object.keys(route.params?.shape ?? {}), inPath, `${group}.${name}: params`);
      assert.ok(route.path.startsWith('/'), `${group}.${name}: a path starts with /`);
    }
    assert.ok(routes.length >= 60, `only ${routes.length} routes`);
  });

  it('has every route that reads a query string refuse a name it does not take, naming it', () => {
    for (const { group, name, route } of routes) {
      if (!route.query) continue;
      const got = route.query.safeParse({ limt: '5' });
      assert.equal(got.success, false, `${group}.${name} ignores an unknown query parameter`);
      assert.ok(got.error!.issues.some((i) => JSON.stringify(i).includes('limt')), `${group}.${name}: the refusal names the parameter`);
    }
  });

  it('reads ids only in plain decimal digits: 01 and " 1" are refused', () => {
    for (const { group, name, route } of routes) {
      for (const [param, schema] of Object.entries(route.params?.shape ?? {})) {
        if (['idOrName', 'name', 'file'].includes(param)) continue;
        for (const v of ['01', ' 1']) assert.equal(schema.safeParse(v).success, false, `${group}.${name} :${param} = '${v}'`);
      }
    }
  });

  it('gives every route a success status, and a result or a content type unless it answers 204', () => {
    for (const { group, name, route } of routes) {
      assert.ok(route.status >= 200 && route.status < 300, `${group}.${name}: status ${route.status}`);
      if (route.status !== 204) assert.ok(route.result || route.resultContentType, `${group}.${name}: what does it answer?`);
      assert.ok(route.resultDescription, `${group}.${name}: resultDescription`);
    }
    assert.equal(API_ROUTES.tasks.create.alsoAnswers[200].schema, API_ROUTES.tasks.create.result);
  });
});
