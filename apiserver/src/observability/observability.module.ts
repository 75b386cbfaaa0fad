import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { TaskTracing } from './task-tracing';

/**
 * Prometheus metrics (`Metrics`) and task spans (`TaskTracing`), for any module to record into. Its
 * scrape endpoint (MetricsController) is registered by the app module, where the GaugeReader it
 * reads (DispatcherModule's) is in scope: this module imports no feature.
 */
@Global()
@Module({
  providers: [Metrics, TaskTracing],
  exports: [Metrics, TaskTracing],
})
export class ObservabilityModule {}
