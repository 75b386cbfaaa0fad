import { applyDecorators, createParamDecorator, HttpCode, RequestMapping, RequestMethod, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { describeIssues, type RouteContract } from '@cronfleet/shared';
import type { z } from 'zod';
import { DomainError } from './errors';

/** Metadata key of a handler's contract. */
export const ROUTE_CONTRACT = 'cronfleet:route-contract';

/**
 * Serves a route of `@cronfleet/shared`'s API_ROUTES with this handler: registers its method and
 * path (the controller is `@Controller()`, the path the contract's whole path below the prefix),
 * its success status, and the contract itself, which the input decorators (`@RouteParam`,
 * `@RouteQuery`, `@RouteBody`) validate with, the auth guard (who may call it) and the query guard
 * read, and the OpenAPI document and served-routes check are built from. Nothing of the route is
 * stated in the controller.
 */
export function Route(contract: RouteContract): MethodDecorator {
  return applyDecorators(
    RequestMapping({ method: RequestMethod[contract.method], path: contract.path }),
    HttpCode(contract.status),
    SetMetadata(ROUTE_CONTRACT, contract),
  );
}

/** The contract a handler serves, if it is marked with {@link Route}. */
export function contractOf(handler: unknown): RouteContract | undefined {
  return typeof handler === 'function' ? (Reflect.getMetadata(ROUTE_CONTRACT, handler) as RouteContract | undefined) : undefined;
}

/** The contract of the handler a request reached; a handler without one is a programming error. */
export function contractAt(ctx: ExecutionContext): RouteContract {
  const contract = contractOf(ctx.getHandler());
  if (!contract) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} reads its input by contract but has no @Route(contract)`);
  return contract;
}

/** Metadata key of the inputs a handler reads by contract: `body`, `query`, `params.<name>`. */
export const ROUTE_INPUTS = 'cronfleet:route-inputs';

/**
 * Checks a request's input with a zod schema: the output form, or a 400 ValidationFailed naming each
 * field and its problem, `root` for an issue about the whole value (`body: expected object`).
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new DomainError('ValidationFailed', describeIssues(r.error, root));
  return r.data;
}

/** Records that the handler reads `input` by contract, for the served-routes check. */
function reads(input: string, decorator: ParameterDecorator): ParameterDecorator {
  return (target, key, index) => {
    const inputs = (Reflect.getMetadata(ROUTE_INPUTS, target, key!) as string[] | undefined) ?? [];
    Reflect.defineMetadata(ROUTE_INPUTS, [...inputs, input], target, key!);
    decorator(target, key, index);
  };
}

type Request = { params?: Record<string, string>; query?: unknown; body?: unknown };
const requestOf = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>();

const param = createParamDecorator((data: { name: string }, ctx: ExecutionContext) => {
  const schema = contractAt(ctx).params?.shape[data.name] as z.ZodType | undefined;
  if (!schema) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name}: its contract has no path parameter ${data.name}`);
  return validateInput(schema, requestOf(ctx).params?.[data.name], data.name);
});

/** A path parameter, checked on its own by its member of the contract's `params` (a 400 names it). */
export const RouteParam = (name: string): ParameterDecorator => reads(`params.${name}`, param({ name }));

const query = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const schema = contractAt(ctx).query;
  if (!schema) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name}: its contract has no query`);
  return validateInput(schema, requestOf(ctx).query, 'query');
});

/** The query string, checked by the contract's `query` (strict: a name the route does not take is refused). */
export const RouteQuery = (): ParameterDecorator => reads('query', query());

/**
 * How the server checks a body other than by the contract's `body` schema: another schema (the
 * envelope of a batch whose items are checked one by one), or a function that checks and returns
 * the value (a workflow definition, whose graph a schema cannot judge) or passes it on to be
 * checked later.
 */
export type BodyCheck = z.ZodType | ((raw: unknown) => unknown);

// The check travels wrapped: Nest takes a `data` argument with a `transform` method (a zod schema has one) for a pipe.
const body = createParamDecorator((data: { check?: BodyCheck }, ctx: ExecutionContext) => {
  const raw = requestOf(ctx).body;
  const check = data.check ?? contractAt(ctx).body;
  if (!check) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name}: its contract has no body`);
  return typeof check === 'function' ? check(raw) : validateInput(check, raw, 'body');
});

/** The body, checked by the contract's `body`, or by `check` where the server judges it otherwise (see {@link BodyCheck}). */
export const RouteBody = (check?: BodyCheck): ParameterDecorator => reads('body', body({ check }));
