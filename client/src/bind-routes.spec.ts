import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { defineRoute, resource, type RouteContract } from '@cronfleet/shared/api';
import { bindRoutes, type CallArgs, type RouteCaller } from './bind-routes';
import { createClient } from './create-client';

const TASKS = {
  get: defineRoute({ method: 'GET', path: '/tasks/:id', access: 'viewer', scope: resource('task'), tag: 'tasks', summary: 'A task', params: z.object({ id: z.number() }), status: 200, result: z.object({ id: z.number(), status: z.string() }) }),
  list: defineRoute({ method: 'GET', path: '/tasks', access: 'viewer', scope: 'scoped', tag: 'tasks', summary: 'Tasks', query: z.object({ limit: z.number().optional() }), status: 200, result: z.object({ items: z.array(z.object({ id: z.number() })) }) }),
  cancel: defineRoute({ method: 'DELETE', path: '/tasks/:id', access: 'operator', scope: resource('task'), tag: 'tasks', summary: 'Cancel', params: z.object({ id: z.number() }), status: 204 }),
};

describe('bindRoutes', () => {
  it('makes each route of each group a method calling it with its input and options', async () => {
    const calls: unknown[][] = [];
    const caller = (async (route: RouteContract, ...args: unknown[]) => {
      calls.push([route, ...args]);
      return 'answer';
    }) as RouteCaller;
    const api = bindRoutes(caller, { tasks: TASKS });
    const signal = new AbortController().signal;
    assert.equal(await api.tasks.get({ params: { id: 7 } }, { signal }), 'answer');
    await api.tasks.list();
    assert.deepEqual(calls, [
      [TASKS.get, { params: { id: 7 } }, { signal }],
      [TASKS.list],
    ]);
    assert.deepEqual(Object.keys(api.tasks), ['get', 'list', 'cancel']);
    assert.ok(Object.isFrozen(api) && Object.isFrozen(api.tasks));
  });

  it('types each method by its route (checked when the spec compiles)', () => {
    const api = bindRoutes((() => Promise.resolve(undefined)) as RouteCaller, { tasks: TASKS });
    // Never run: the assignments and @ts-expect-error lines are the test, checked by tsc.
    const typed = async (): Promise<void> => {
      const task: { id: number; status: string } = await api.tasks.get({ params: { id: 1 } });
      const nothing: void = await api.tasks.cancel({ params: { id: 1 } });
      const page: { items: { id: number }[] } = await api.tasks.list({ query: { limit: 5 } });
      // @ts-expect-error: the id is a number
      await api.tasks.get({ params: { id: 'x' } });
      // @ts-expect-error: get needs its params
      await api.tasks.get();
      // @ts-expect-error: no such route
      await api.tasks.kill({ params: { id: 1 } });
      const noInput: CallArgs<typeof TASKS.list> = [];
      void [task, nothing, page, noInput];
    };
    assert.equal(typeof typed, 'function');
  });

  it("refuses a group named like one of the client's own methods", () => {
    assert.throws(() => createClient({ baseUrl: 'http://localhost:8080', routes: { events: TASKS } }), { code: 'InvalidInput', message: /'events'/ });
    const api = createClient({ baseUrl: 'http://localhost:8080', routes: { tasks: TASKS } });
    assert.deepEqual([typeof api.tasks.get, typeof api.call, typeof api.events, api.baseUrl], ['function', 'function', 'function', 'http://localhost:8080']);
  });
});
