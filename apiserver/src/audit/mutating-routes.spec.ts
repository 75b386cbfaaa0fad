import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { AppModule, type Infrastructure } from '../app.module';
import { controllersOf, routesOf } from '../openapi/nest-routes';
import { MutationInterceptor } from './mutation.interceptor';

describe('the routes that change something', () => {
  const infra = { config: {}, tokens: { secretKey: randomBytes(32) }, instanceId: 'spec', dataSource: { options: {} }, lease: {}, events: {} } as unknown as Infrastructure;
  const controllers = controllersOf(AppModule.forRoot(infra));
  const byName = new Map(controllers.map((c) => [c.name, c]));
  const interceptorsOf = (controller: string, handler: string): unknown[] => {
    const ctrl = byName.get(controller)!;
    const fn = (ctrl.prototype as Record<string, unknown>)[handler] as object;
    return [...((Reflect.getMetadata(INTERCEPTORS_METADATA, ctrl) as unknown[]) ?? []), ...((Reflect.getMetadata(INTERCEPTORS_METADATA, fn) as unknown[]) ?? [])];
  };
  const routes = routesOf(controllers);

  it('are each audited and traced: every POST, PUT, PATCH and DELETE carries the MutationInterceptor', () => {
    const mutating = routes.filter((r) => r.method !== 'GET');
    assert.ok(mutating.length >= 25, `found only ${mutating.length} mutating routes`);
    const bare = mutating.filter((r) => !interceptorsOf(r.controller, r.handler).includes(MutationInterceptor)).map((r) => `${r.key} (${r.controller}.${r.handler})`);
    assert.deepEqual(bare, [], 'declare these with the decorators of audit/mutating-routes.ts');
  });

  it('leave reads without any interceptor, which Nest then calls directly', () => {
    const intercepted = routes.filter((r) => r.method === 'GET' && interceptorsOf(r.controller, r.handler).length > 0).map((r) => r.key);
    assert.deepEqual(intercepted, []);
  });
});
