import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { API_ROUTES } from '@cronfleet/shared';
import { accessOf, AuthGuard } from './auth.guard';
import { routeKey } from './http-request';

describe('the auth guard', () => {
  it("holds a request to its handler's contract: its access and scope", () => {
    assert.deepEqual(accessOf(API_ROUTES.cronjobs.run, 'POST'), API_ROUTES.cronjobs.run);
    assert.equal(accessOf(API_ROUTES.cronjobs.get, 'get')?.access, 'viewer');
    assert.equal(accessOf(API_ROUTES.health.health, 'GET')?.access, 'public');
  });

  it("holds a request by another method than its contract's (HEAD on a GET handler) to admin and cluster-wide tokens, as a route the policy does not state", () => {
    assert.deepEqual(accessOf(API_ROUTES.cronjobs.get, 'HEAD'), { access: 'admin', scope: 'cluster' });
    assert.deepEqual(accessOf(API_ROUTES.health.health, 'HEAD'), { access: 'admin', scope: 'cluster' });
  });

  it('refuses every caller a handler that states no contract, before it reads a token', async () => {
    assert.equal(accessOf(undefined, 'GET'), null);
    // The refusal comes before the guard's collaborators are used: none is given (no mock needed).
    const guard = new AuthGuard(null as never, null as never, null as never, null as never);
    const req = { method: 'GET', originalUrl: '/api/v1/things', headers: { authorization: 'Bearer whatever' }, routeOptions: { url: '/api/v1/things' } };
    const ctx = { switchToHttp: () => ({ getRequest: () => req }), getHandler: () => function things() {}, getClass: () => class Things {} } as unknown as ExecutionContext;
    await assert.rejects(guard.canActivate(ctx), (e: unknown) => e instanceof ForbiddenException && /GET \/api\/v1\/things states no route contract/.test(e.message));
  });

  it("names a route in its refusals by method and pattern: 'POST /api/v1/cronjobs/{id}/run'", () => {
    assert.equal(routeKey('post', '/api/v1/cronjobs/:id/run'), 'POST /api/v1/cronjobs/{id}/run');
  });
});
