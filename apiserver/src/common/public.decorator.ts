import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'cronfleet:public';
/**
 * Marks a route as reachable without a token (health checks, metrics, docs), for the OpenAPI
 * document. The guard itself goes by auth/role-policy.ts, whose spec checks that both agree.
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
