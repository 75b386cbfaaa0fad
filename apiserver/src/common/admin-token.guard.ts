import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TOKENS } from '../config/tokens';
import type { Tokens } from '../config/secrets';
import { tokensEqual } from './token';

export const PUBLIC_ROUTE = 'cronfleet:public';
/** Marks a route as reachable without a token (health checks). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Every REST route needs `Authorization: Bearer <admin token>` unless marked @Public(). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKENS) private readonly tokens: Tokens,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new UnauthorizedException('Authorization: expected "Bearer <admin token>"');
    if (!tokensEqual(m[1], this.tokens.adminToken)) throw new UnauthorizedException('Authorization: token is not valid');
    return true;
  }
}
