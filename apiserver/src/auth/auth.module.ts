import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { NamespaceAccess } from './namespace-access';

/**
 * API tokens and the checks every edge shares: the REST guard, the `/events` namespace (any valid
 * token) and the worker socket (its own token; failures counted by the same limiter).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity])],
  controllers: [ApiTokensController],
  providers: [ApiTokensRepository, ApiTokensService, NamespaceAccess, { provide: AuthFailureLimiter, useValue: new AuthFailureLimiter() }],
  exports: [ApiTokensService, AuthFailureLimiter, NamespaceAccess],
})
export class AuthModule {}
