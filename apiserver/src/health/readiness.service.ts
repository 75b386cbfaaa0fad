import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MigrationExecutor } from 'typeorm';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { checkReadiness, Readiness, ReadinessCheck } from './readiness';
import { RedisPing } from './redis-ping';

/** Longest a readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

/** `GET /readyz`: the database answers, every migration is applied, and Redis (when configured) answers. */
@Injectable()
export class ReadinessService implements OnApplicationShutdown {
  private readonly redis: RedisPing | null;
  private readonly checks: ReadinessCheck[];

  constructor(@InjectDataSource() private readonly ds: DataSource, @Inject(SERVER_CONFIG) config: ServerConfig) {
    this.redis = config.redisUrl ? new RedisPing(config.redisUrl) : null;
    const redis = this.redis;
    this.checks = [
      { name: 'database', run: async () => void (await this.ds.query('SELECT 1')) },
      {
        name: 'migrations',
        run: async () => {
          const pending = await new MigrationExecutor(this.ds).getPendingMigrations();
          if (pending.length > 0) throw new Error(`${pending.length} not applied: ${pending.map((m) => m.name).join(', ')}`);
        },
      },
      ...(redis ? [{ name: 'redis', run: () => redis.ping() }] : []),
    ];
  }

  check(): Promise<Readiness> {
    return checkReadiness(this.checks, CHECK_TIMEOUT_MS);
  }

  onApplicationShutdown(): void {
    this.redis?.close();
  }
}
