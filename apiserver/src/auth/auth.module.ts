import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { NamespaceAccess } from './namespace-access';
import { TokenSessions } from './token-sessions';

/**
 * API tokens and the checks every edge shares: the REST guard, the `/events` namespace (any valid
 * token) and the worker socket (its own token; failures counted by the same limiter).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity])],
  controllers: [ApiTokensController],
  providers: [ApiTokensRepository, ApiTokensService, TokenSessions, NamespaceAccess, { provide: AuthFailureLimiter, useValue: new AuthFailureLimiter() }],
  exports: [ApiTokensService, TokenSessions, AuthFailureLimiter, NamespaceAccess],
})
export class AuthModule {}
