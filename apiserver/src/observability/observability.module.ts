import { Global, Module } from '@nestjs/common';
import { DispatcherModule } from '../dispatcher/dispatcher.module';
import { WorkersModule } from '../workers/workers.module';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';

/** Prometheus metrics: `Metrics` for any module to record into, and `GET /metrics`. */
@Global()
@Module({
  imports: [DispatcherModule, WorkersModule],
  controllers: [MetricsController],
  providers: [Metrics],
  exports: [Metrics],
})
export class ObservabilityModule {}
