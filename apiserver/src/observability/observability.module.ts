import { Global, Module } from '@nestjs/common';
import { DispatcherModule } from '../dispatcher/dispatcher.module';
import { WorkersModule } from '../workers/workers.module';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { TaskTracing } from './task-tracing';

/** Prometheus metrics (`Metrics`, `GET /metrics`) and task spans (`TaskTracing`), for any module to record into. */
@Global()
@Module({
  imports: [DispatcherModule, WorkersModule],
  controllers: [MetricsController],
  providers: [Metrics, TaskTracing],
  exports: [Metrics, TaskTracing],
})
export class ObservabilityModule {}
