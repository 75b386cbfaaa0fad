import Redis from 'ioredis';
import { redactUrl } from '../config/config';

/**
 * A Redis connection of its own for the readiness probe: it fails a ping at once while Redis is
 * unreachable (no offline queue) and reconnects in the background, so /readyz turns 200 again by
 * itself when Redis is back.
 */
export class RedisPing {
  private readonly client: Redis;
  private readonly where: string;

  constructor(url: string) {
    this.where = redactUrl(url);
    this.client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Errors surface through ping(); without a listener ioredis would print each reconnect failure.
    this.client.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect().catch(() => undefined);
    try {
      await this.client.ping();
    } catch (e) {
      throw new Error(`Redis at ${this.where} does not answer (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  close(): void {
    this.client.disconnect();
  }
}
