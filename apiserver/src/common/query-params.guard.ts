import { CanActivate, ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DomainError } from './errors';

/** True when the handler reads the query string (a `@Query()` argument, whose schema then judges it). */
export function takesQuery(controller: Type, handler: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((k) => Number(k.split(':')[0]) === RouteParamtypes.QUERY);
}

/**
 * One rule for query parameters on every route: a name the route does not take is refused with a
 * 400 naming it, never ignored (a misspelt `limt=5` would otherwise read as "no limit"). Routes that
 * take a query refuse unknown names in their strict zod schemas; this refuses any name on the others.
 */
@Injectable()
export class QueryParamsGuard implements CanActivate {
  private readonly known = new Map<string, boolean>();

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const names = Object.keys(ctx.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {});
    if (names.length === 0) return true;
    const ctrl = ctx.getClass();
    const handler = ctx.getHandler().name;
    const key = `${ctrl.name}.${handler}`;
    let takes = this.known.get(key);
    if (takes === undefined) this.known.set(key, (takes = takesQuery(ctrl, handler)));
    if (takes) return true;
    throw new DomainError('ValidationFailed', `${names[0]}: unknown query parameter (this route takes none)`);
  }
}
