import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { QueryParamsGuard } from './common/query-params.guard';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import type { ServerConfig } from './config/config';
import { INSTANCE_ID, SERVER_CONFIG, TOKENS } from './config/tokens';
import { SecretBox } from './common/secret-box';
import type { Tokens } from './config/secrets';
import { CronJobsModule } from './cronjobs/cronjobs.module';
import { ChainsModule } from './workflows/chains/chains.module';
import { DispatcherModule } from './dispatcher/dispatcher.module';
import { LeaderLease } from './cluster/lease/leader-lease';
import { ClusterEvents } from './cluster/cluster-events';
import { HealthModule } from './health/health.module';
import { JobFilesModule } from './jobfiles/jobfiles.module';
import { LiveModule } from './live/live.module';
import { MetricsController } from './observability/metrics.controller';
import { ObservabilityModule } from './observability/observability.module';
import { NamespacesModule } from './namespaces/namespaces.module';
import { OpenApiController } from './openapi/openapi.controller';
import { RetentionModule } from './retention/retention.module';
import { TasksModule } from './tasks/tasks.module';
import { NotificationsModule } from './notifications/notifications.module';
import { WorkersModule } from './workers/workers.module';
import { WorkflowsModule } from './workflows/workflows.module';

/** What is built before Nest starts (config, tokens, an open and migrated database, Redis or in-process coordination). */
export interface Infrastructure {
  config: ServerConfig;
  tokens: Tokens;
  instanceId: string;
  dataSource: DataSource;
  lease: LeaderLease;
  events: ClusterEvents;
}

@Global()
@Module({})
class InfrastructureModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: SERVER_CONFIG, useValue: infra.config },
        { provide: TOKENS, useValue: infra.tokens },
        { provide: INSTANCE_ID, useValue: infra.instanceId },
        { provide: LeaderLease, useValue: infra.lease },
        { provide: ClusterEvents, useValue: infra.events },
        { provide: SecretBox, useValue: new SecretBox(infra.tokens.secretKey) },
      ],
      exports: [SERVER_CONFIG, TOKENS, INSTANCE_ID, LeaderLease, ClusterEvents, SecretBox],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(infra),
        TypeOrmModule.forRootAsync({
          useFactory: () => infra.dataSource.options,
          dataSourceFactory: async () => infra.dataSource,
        }),
        NamespacesModule,
        AuthModule,
        AuditModule,
        LiveModule,
        WorkersModule,
        TasksModule,
        NotificationsModule,
        ChainsModule,
        WorkflowsModule,
        CronJobsModule,
        DispatcherModule,
        JobFilesModule,
        RetentionModule,
        // Observability: /healthz and /readyz, /metrics, /api/docs.
        HealthModule,
        ObservabilityModule,
      ],
      // GET /metrics is observability's, registered here where DispatcherModule's GaugeReader is in scope.
      controllers: [OpenApiController, MetricsController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: QueryParamsGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
