import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { ApiTokensService } from './api-tokens.service';
import { clientAddress, isMutating, routeKey, type HttpRequest, type HttpResponse, routePattern, TooManyAuthFailuresException } from './http-request';
import { NamespaceAccess } from './namespace-access';
import { RequestAudit } from './request-audit';
import { type Actor, type RouteAccess, type RouteContract, type RouteScope, roleAllows } from '@cronfleet/shared';
import { DomainError, HTTP_STATUS_BY_CODE } from '../common/errors';
import { contractOf } from '../common/route.decorator';

/**
 * Who may call a request's handler: its contract's `access` and `scope`. A request by another method
 * than the contract's (Fastify answers HEAD with the GET handler) is held to what a route no
 * contract states gets: admin, and cluster-wide tokens only. Null: the handler has no contract,
 * and is refused to everyone (nest-routes.ts checks that every handler Nest serves has one).
 */
export function accessOf(contract: RouteContract | undefined, method: string): RouteAccess | null {
  if (!contract) return null;
  return method.toUpperCase() === contract.method ? contract : { access: 'admin', scope: 'cluster' };
}

/**
 * The global guard: reads who may call the route from the handler's contract (`@Route(contract)`,
 * see accessOf), refuses addresses with too many failed token checks (429), checks the bearer token
 * (401), then the token's role (403) and, for a token scoped to a namespace, the route's scope (403,
 * or 404 for another namespace's resource), and leaves the caller on the request for the audit log.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly limiter: AuthFailureLimiter,
    private readonly audit: RequestAudit,
    private readonly namespaces: NamespaceAccess,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const policy = accessOf(contractOf(ctx.getHandler()), req.method);
    // The route's key names it in refusals and scope checks only: a public route (probes, metrics) never builds it.
    if (policy?.access === 'public') return true;
    const key = routeKey(req.method, routePattern(req));
    if (!policy) throw new ForbiddenException(`${key} states no route contract: refused to every token`);
    const needed = policy.access;

    const address = clientAddress(req);
    const blockedMs = this.limiter.blockedForMs(address, Date.now());
    if (blockedMs > 0) {
      const { message, retryAfterSeconds } = AuthFailureLimiter.refusal(blockedMs);
      http.getResponse<HttpResponse>().header('Retry-After', String(retryAfterSeconds));
      throw new TooManyAuthFailuresException(message);
    }
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw new UnauthorizedException('Authorization: expected "Bearer <token>" (an API token or the admin token)');
    const outcome = await this.tokens.authenticate(m[1]);
    if (!outcome.ok) {
      this.limiter.fail(address, Date.now());
      throw new UnauthorizedException(`Authorization: ${outcome.reason}`);
    }
    const actor = outcome.actor;
    req.actor = actor;
    if (roleAllows(actor.role, needed)) {
      if (actor.namespace !== null) await this.checkNamespace({ ...actor, namespace: actor.namespace }, policy.scope, key, req);
      return true;
    }
    const message = `token '${actor.name}' has role ${actor.role}; ${key} needs ${needed} or above`;
    if (isMutating(req)) await this.audit.recordRequest(req, 403);
    throw new ForbiddenException(message);
  }

  /** A scoped token's request: refused (403, or 404 for another namespace's resource) and audited as such when mutating. */
  private async checkNamespace(actor: Actor & { namespace: string }, scope: RouteScope, key: string, req: HttpRequest): Promise<void> {
    try {
      await this.namespaces.check(actor, scope, key, req, isMutating(req));
    } catch (e) {
      if (isMutating(req) && e instanceof DomainError) await this.audit.recordRequest(req, HTTP_STATUS_BY_CODE[e.code]);
      throw e;
    }
  }
}
