import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io over Redis pub/sub: a message to a worker's room reaches it on whichever API server
 * instance holds its connection, and its ack comes back (the leader dispatches to every worker;
 * a kill sent through instance A reaches a worker connected to B). Channels are under the
 * configured Redis prefix, so test runs and clusters sharing a Redis stay apart.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(app: INestApplicationContext, url: string, private readonly prefix: string) {
    super(app);
    this.pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.sub = new Redis(url, { lazyConnect: true });
    // The adapter calls publish() without handling its promise; while Redis is down each call
    // rejects (maxRetriesPerRequest), and an unhandled rejection ends the process. A relay lost so
    // is already covered: the sender's ack times out and the task is sent again (see TaskSender).
    const publish = this.pub.publish.bind(this.pub);
    this.pub.publish = ((...args: Parameters<Redis['publish']>) => {
      const sent = publish(...args);
      sent.catch(() => undefined);
      return sent;
    }) as Redis['publish'];
  }

  async connect(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    const redisAdapter = createAdapter(this.pub, this.sub, { key: `${this.prefix}socket.io`, requestsTimeout: 5000 });
    // A function, not an arrow: socket.io calls it with `new`.
    server.adapter(function countTolerantRedisAdapter(nsp: Parameters<typeof redisAdapter>[0]) {
      const adapter = redisAdapter(nsp);
      // socket.io's emitWithAck to a room calls serverCount().then(...) without a rejection handler:
      // while Redis is down the count fails and, unhandled, ended the process (found by the chaos
      // suite). A count that never comes lets the emit time out instead, as when a worker does not
      // answer (AckTimeout, handled by TaskSender).
      const serverCount = adapter.serverCount.bind(adapter);
      adapter.serverCount = () => serverCount().catch(() => new Promise<number>(() => undefined));
      return adapter;
    });
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
