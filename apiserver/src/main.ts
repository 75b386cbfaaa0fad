import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { FastifyInstance } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppModule } from './app.module';
import { AppLogger } from './observability/app-logger';
import { AuditService } from './audit/audit.service';
import { followMutations } from './audit/mutation-hooks';
import { TaskTracing } from './observability/task-tracing';
import { answerMalformedRequest, limitRequestBodies } from './common/body-limits';
import { boundRequestTimes } from './common/request-timeouts';
import { serveDashboard } from './dashboard/serve-dashboard';
import { ConfigError, type ServerConfig } from './config/config';
import { loadOrCreateTokens, Tokens } from './config/secrets';
import { openDatabase } from './database/data-source';
import { ENTITIES } from './entities';
import { DispatcherService } from './dispatcher/dispatcher.service';
import { LeaderLease, LocalLease } from './cluster/lease/leader-lease';
import { RedisLease } from './cluster/lease/redis-lease';
import { ClusterEvents, LocalClusterEvents, RedisClusterEvents } from './cluster/cluster-events';
import { RedisIoAdapter } from './workers/redis-io.adapter';
import { readLogSettings } from './observability/log-settings';
import { API_PREFIX, UNPREFIXED_PATHS } from './openapi/api-prefix';

/** On shutdown, connections still open this long after the server stopped accepting are cut (long-lived streams). */
const CLOSE_GRACE_MS = 2000;

export interface RunningServer {
  app: INestApplication;
  /** The port actually bound (differs from the configured one when that was 0). */
  port: number;
  tokens: Tokens;
  /** Stops dispatching and releases the leader lease; the API keeps answering and workers can still report. */
  stopDispatching(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the API server: opens and migrates the database, connects Redis (or picks the in-process
 * lock), then serves REST under /api/v1, /healthz, /readyz, /metrics, /api/docs and the worker socket on one port.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  // JSON (or, on a terminal, plain) log lines from here on; LOG_LEVEL and CRONFLEET_LOG_FORMAT are checked first.
  const logger = new AppLogger(readLogSettings(process.env, Boolean(process.stdout.isTTY)));
  Logger.overrideLogger(logger);
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const tokens = loadOrCreateTokens(config.dataDir, { admin: config.adminToken, worker: config.workerToken, secretKey: config.secretKey, webhookSecret: config.webhookSecret });
  const dataSource = await openDatabase(config.db, ENTITIES);
  let events: ClusterEvents | null = null;
  let lease: LeaderLease | null = null;
  let app: NestFastifyApplication | null = null;
  try {
    events = config.redisUrl ? await RedisClusterEvents.connect(config.redisUrl, config.redisPrefix) : new LocalClusterEvents();
    lease = config.redisUrl ? new RedisLease(config.redisUrl, config.redisPrefix, config.leaseSeconds * 1000) : new LocalLease();
    // With a certificate, one HTTPS server carries REST and the worker socket (wss) alike.
    const httpsOptions = config.tls ? { cert: readTlsFile(config.tls.certFile, 'CRONFLEET_TLS_CERT'), key: readTlsFile(config.tls.keyFile, 'CRONFLEET_TLS_KEY') } : undefined;
    const adapter = new FastifyAdapter({
      ...(httpsOptions && { https: httpsOptions }),
      bodyLimit: config.maxBodyBytes,
      clientErrorHandler: answerMalformedRequest,
      // Names and ids in paths are judged by the routes' own schemas, with a message, not by a 404.
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    } as ConstructorParameters<typeof FastifyAdapter>[0]);
    const fastify = adapter.getInstance() as unknown as FastifyInstance;
    // The caller, set by the auth guard on every request that shows a token (a known shape for V8).
    fastify.decorateRequest('actor', undefined);
    limitRequestBodies(fastify, config.maxBodyBytes);
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, tokens, instanceId, dataSource, lease, events }), adapter, { logger, bodyParser: false });
    boundRequestTimes(app.getHttpServer() as HttpServer, config.requestTimeoutSeconds, config.headersTimeoutSeconds);
    followMutations(fastify, app.get(AuditService), app.get(TaskTracing));
    app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_PATHS });
    if (config.redisUrl) {
      const adapter = new RedisIoAdapter(app, config.redisUrl, config.redisPrefix);
      await adapter.connect();
      app.useWebSocketAdapter(adapter);
    } else app.useWebSocketAdapter(new IoAdapter(app));
    await serveDashboard(fastify, logger);
    await app.listen(config.port, config.host);
    // Only a server that serves may lead: the lease is sought once the port is bound. A server whose
    // port was taken could lead before it failed (on the embedded default at once, on Redis when the
    // lease was free), taking over the due times for nothing.
    lease.start();
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const bus = events;
    const running = app;
    return {
      app: running,
      port,
      tokens,
      stopDispatching: () => running.get(DispatcherService).stop(),
      close: async () => {
        // Streams (SSE, followed output) never end by themselves and would hold the process for
        // as long as their clients stay: once the server stops accepting, connections still open
        // after a short grace are cut.
        const http = running.getHttpServer() as HttpServer;
        const cut = setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS);
        cut.unref();
        await running.close();
        await bus.close();
      },
    };
  } catch (e) {
    // The modules' shutdown hooks (the dispatcher, the sockets, the timers) run, then what was opened before them.
    await app?.close().catch(() => undefined);
    await lease?.stop().catch(() => undefined);
    await events?.close().catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw e;
  }
}

function readTlsFile(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
