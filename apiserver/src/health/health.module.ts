import { Module } from '@nestjs/common';
import { DispatcherModule } from '../dispatcher/dispatcher.module';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

/** `GET /healthz` (alive) and `GET /readyz` (database, migrations and Redis answer). */
@Module({
  imports: [DispatcherModule],
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class HealthModule {}
