import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { API_ROUTES, defineRoute, resource } from '@cronfleet/shared';
import { AppModule, type Infrastructure } from '../app.module';
import { Route, RouteParam, RouteQuery } from '../common/route.decorator';
import { contractProblems, controllersOf, operationIds, servedRoutes } from './nest-routes';

/**
 * The handlers as Nest registers them, read from the decorators of every controller reachable from
 * AppModule. Building the module description needs no database: the infrastructure is only stored.
 */
function registeredRoutes() {
  const infra = { config: {}, tokens: { secretKey: randomBytes(32) }, instanceId: 'spec', dataSource: { options: {} }, lease: {}, events: {} } as unknown as Infrastructure;
  return servedRoutes(controllersOf(AppModule.forRoot(infra)));
}

const SPEC_ROUTES = {
  things: {
    get: defineRoute({ method: 'GET', path: '/things/:id', access: 'viewer', scope: resource('task'), tag: 't', summary: 'a thing', params: z.object({ id: z.string() }), query: z.object({}).strict(), status: 200 }),
    list: defineRoute({ method: 'GET', path: '/things', access: 'viewer', scope: 'scoped', tag: 't', summary: 'things', status: 200 }),
    gone: defineRoute({ method: 'DELETE', path: '/things/:id', access: 'operator', scope: resource('task'), tag: 't', summary: 'no handler', params: z.object({ id: z.string() }), status: 204 }),
  },
};

@Controller()
class GoodController {
  @Route(SPEC_ROUTES.things.get)
  get(@RouteParam('id') id: string, @RouteQuery() _q: object) {
    return id;
  }
}

@Controller('things')
class BadController {
  /** Under a controller path: served apart from its contract. Reads :id past it. */
  @Route(SPEC_ROUTES.things.list)
  list(@Param('id') id: string) {
    return id;
  }

  /** No contract at all, and a query the contract would not know. */
  @Get('raw')
  raw(@Query() q: unknown) {
    return q;
  }
}

describe('the routes Nest serves', () => {
  const served = registeredRoutes();

  it('are exactly the contracts of API_ROUTES: each registered, answered and read as its contract says, each served once', () => {
    assert.deepEqual(contractProblems(served, API_ROUTES), []);
    assert.ok(served.length >= 60, `found only ${served.length} routes: is the controller walk broken?`);
  });

  it('name each operation of the OpenAPI document by the handler serving it', () => {
    const ids = operationIds(served);
    assert.equal(ids.get(API_ROUTES.cronjobs.create), 'CronJobs_create');
    assert.equal(ids.get(API_ROUTES.tasks.kill), 'TaskControl_kill');
    assert.equal(new Set(ids.values()).size, ids.size, 'operationIds are unique');
  });

  it('finds a handler without a contract, one served apart from its contract, an input read past it, and a contract nobody serves', () => {
    const problems = contractProblems(servedRoutes([GoodController, BadController]), SPEC_ROUTES);
    const expect = [
      /BadController\.list \(GET \/api\/v1\/things\/things\) is registered apart from its contract's GET \/api\/v1\/things/,
      /BadController\.list reads param with Nest's own decorators/,
      /BadController\.raw \(GET \/api\/v1\/things\/raw\) serves no contract/,
      /API_ROUTES\.things\.gone \(DELETE \/api\/v1\/things\/:id\) is served by no handler/,
    ];
    for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re} in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expect.length, problems.join('\n'));
    assert.ok(!problems.some((p) => p.includes('GoodController')));
  });
});
