import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller, type ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { CRONJOB_ROUTES, defineRoute, resource } from '@cronfleet/shared';
import { Route, RouteBody, RouteParam, RouteQuery } from './route.decorator';

const ROUTE = defineRoute({
  method: 'POST',
  path: '/things/:id',
  access: 'operator',
  scope: resource('task'),
  tag: 't',
  summary: 'a thing',
  params: z.object({ id: CRONJOB_ROUTES.get.params.shape.id }),
  query: z.object({ dry: z.enum(['true', 'false']).optional() }).strict(),
  body: z.object({ name: z.string({ error: 'must be a string' }) }).strict(),
  status: 202,
});

@Controller()
class ThingsController {
  @Route(ROUTE)
  make(@RouteParam('id') id: number, @RouteQuery() q: object, @RouteBody() body: object) {
    return { id, q, body };
  }

  @Route(ROUTE)
  raw(@RouteBody((v) => ({ raw: v })) body: object) {
    return body;
  }
}

/** Runs the argument factories of a handler on a request, as Nest does before calling it (in argument order). */
function argsOf(handler: 'make' | 'raw', req: { params?: object; query?: object; body?: unknown }): unknown[] {
  const fn = ThingsController.prototype[handler];
  const ctx = { getHandler: () => fn, getClass: () => ThingsController, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  const meta = Reflect.getMetadata(ROUTE_ARGS_METADATA, ThingsController, handler) as Record<string, { index: number; data: unknown; factory: (d: unknown, c: ExecutionContext) => unknown }>;
  return Object.values(meta)
    .sort((a, b) => a.index - b.index)
    .map((a) => a.factory(a.data, ctx));
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'accepted';
};

describe('@Route and the input decorators', () => {
  it('register the contract\'s method, whole path and status', () => {
    const fn = ThingsController.prototype.make;
    assert.equal(Reflect.getMetadata(METHOD_METADATA, fn), 1); // RequestMethod.POST
    assert.equal(Reflect.getMetadata(PATH_METADATA, fn), '/things/:id');
    assert.equal(Reflect.getMetadata(HTTP_CODE_METADATA, fn), 202);
  });

  it('hand the handler the checked output of each input', () => {
    assert.deepEqual(argsOf('make', { params: { id: '7' }, query: {}, body: { name: 'n' } }), [7, {}, { name: 'n' }]);
  });

  it('refuse as the validation pipe did: ValidationFailed naming the parameter, field or whole value', () => {
    assert.equal(refusal(() => argsOf('make', { params: { id: '07' }, query: {}, body: { name: 'n' } })), "ValidationFailed: id: must be a number in plain decimal digits (no sign, spaces or leading zeros), not '07'");
    assert.equal(refusal(() => argsOf('make', { params: { id: '7' }, query: { limt: '5' }, body: { name: 'n' } })), 'ValidationFailed: limt: unknown field');
    assert.equal(refusal(() => argsOf('make', { params: { id: '7' }, query: {}, body: { name: 5 } })), 'ValidationFailed: name: must be a string');
    assert.equal(refusal(() => argsOf('make', { params: { id: '7' }, query: {}, body: [] })), 'ValidationFailed: body: Invalid input: expected object, received array');
  });

  it('check a body by the function given instead of the contract\'s schema', () => {
    assert.deepEqual(argsOf('raw', { body: 'anything' }), [{ raw: 'anything' }]);
  });
});
