import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from './errors';
import { contractOf } from './route.decorator';

/**
 * One rule for query parameters on every route: a name the route does not take is refused with a
 * 400 naming it, never ignored (a misspelt `limt=5` would otherwise read as "no limit"). Routes that
 * take a query (their contract's `query`) refuse unknown names in their strict zod schemas; this
 * refuses any name on the others.
 */
@Injectable()
export class QueryParamsGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const names = Object.keys(ctx.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {});
    if (names.length === 0) return true;
    // A route with a query in its contract reads it with @RouteQuery() (the served-routes check makes sure), whose strict schema judges the names.
    const takes = contractOf(ctx.getHandler())?.query !== undefined;
    if (takes) return true;
    throw new DomainError('ValidationFailed', `${names[0]}: unknown query parameter (this route takes none)`);
  }
}
