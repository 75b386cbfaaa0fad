import { resolve } from 'node:path';
import { tracingWanted } from '@cronfleet/shared';

/**
 * The API server's configuration: the only place that reads process.env. Validated once at start;
 * a bad value stops the server with a message naming the variable.
 */
export interface ServerConfig {
  /** TCP port for HTTP, REST and socket.io. `CRONFLEET_PORT`, default 8080 (0 = any free port). */
  port: number;
  /** Interface to listen on. `CRONFLEET_HOST`, default `0.0.0.0`. */
  host: string;
  /** Directory for the embedded SQLite file and generated tokens. `CRONFLEET_DATA_DIR`, default `./data`. */
  dataDir: string;
  /** Database. `CRONFLEET_DB`: `mysql://user:pass@host:port/db`, or unset for SQLite in the data dir. */
  db: { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string; database: string };
  /** Redis for the leader lease and cluster events. `CRONFLEET_REDIS`; unset = in-process lock (one server). */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel. `CRONFLEET_REDIS_PREFIX`, default `cronfleet:`. */
  redisPrefix: string;
  /** Leader lease length in seconds; a standby takes over within this after the leader dies. `CRONFLEET_LEASE_SECONDS`, default 10. */
  leaseSeconds: number;
  /** Seconds between worker heartbeats. `CRONFLEET_HEARTBEAT_SECONDS`, default 5. */
  heartbeatSeconds: number;
  /** From `CRONFLEET_ADMIN_TOKEN`; null = generated on first start and kept in the data dir. */
  adminToken: string | null;
  /** From `CRONFLEET_WORKER_TOKEN`; null = generated on first start and kept in the data dir. */
  workerToken: string | null;
  /**
   * Key that encrypts jobs' `secretEnv` (AES-256-GCM): 32 bytes as 64 hex characters or base64, from
   * `CRONFLEET_SECRET_KEY`; null = generated on first start and kept in the data dir. Several
   * servers sharing one database must be given the same key.
   */
  secretKey: Buffer | null;
  /** Most output kept per task, in bytes. `CRONFLEET_MAX_OUTPUT_BYTES`, default 1 MiB. */
  maxOutputBytes: number;
  /**
   * Largest JSON request body accepted, in bytes; a larger one is answered 413 without being read
   * into memory. `CRONFLEET_MAX_BODY_BYTES`, default 2 MiB (a script job's `content` alone may be
   * 1 MiB), at most {@link MAX_BODY_BYTES_LIMIT}.
   */
  maxBodyBytes: number;
  /**
   * Most seconds a client may take to send a whole request (headers and body); past it the request
   * is answered 408 and the connection closed. `CRONFLEET_REQUEST_TIMEOUT_SECONDS`, default 30.
   */
  requestTimeoutSeconds: number;
  /**
   * Most seconds a client may take to send a request's headers (408 then), at most
   * `requestTimeoutSeconds`. `CRONFLEET_HEADERS_TIMEOUT_SECONDS`, default 30 (or the request timeout if shorter).
   */
  headersTimeoutSeconds: number;
  /** `POST /tasks/:id/stop`: seconds from SIGTERM to SIGKILL unless the request says. `CRONFLEET_STOP_GRACE_SECONDS`, default 10. */
  stopGraceSeconds: number;
  /**
   * How long a worker has to acknowledge `task:run` (else the task goes back to pending, for another
   * worker) and to confirm a stop or kill (else the API answers 504). `CRONFLEET_ACK_TIMEOUT_SECONDS`, default 10.
   */
  ackTimeoutSeconds: number;
  /** Directory of job files (`*.json`, `*.yaml`, `*.yml`) applied as they change. `CRONFLEET_JOBS_DIR`; null = none. */
  jobsDir: string | null;
  /**
   * Key of the HMAC-SHA256 `X-Cronfleet-Signature` of webhook notifications, at least 16 characters.
   * `CRONFLEET_WEBHOOK_SECRET`; null = generated on first start and kept in the data dir.
   */
  webhookSecret: string | null;
  /** SMTP server for email notifications, `smtp://user:pass@host:port` (or `smtps://`). `CRONFLEET_SMTP_URL`; null: no email. */
  smtpUrl: string | null;
  /** Sender address of email notifications. `CRONFLEET_SMTP_FROM`; null: no email. */
  smtpFrom: string | null;
  /**
   * `CRONFLEET_JOBS_DIR_MODE`: `watch` (default; removing a file disables its jobs) or `archive`
   * (each file applied once, then moved to `archive/`, or to `failed/` with a `.error` beside it).
   */
  jobsDirMode: 'watch' | 'archive';
  /** `cronfleet.yaml` whose `jobs:` are applied at start. `CRONFLEET_CONFIG`; null = none. */
  configFile: string | null;
  /**
   * PEM certificate (chain) and private key files: when both are set the server answers HTTPS, and
   * the worker socket is wss, on the same port. `CRONFLEET_TLS_CERT` / `CRONFLEET_TLS_KEY`
   * (`cronfleet server --tls-cert --tls-key`); null = plain HTTP.
   */
  tls: { certFile: string; keyFile: string } | null;
  /**
   * Finished tasks older than this many days (by their end) are deleted by the leader's retention
   * sweep, unless their job sets `historyDays`. `CRONFLEET_HISTORY_DAYS`, default 30; `unlimited`
   * (null) keeps them however old.
   */
  historyDays: number | null;
  /**
   * The newest N finished tasks of each job (and of one-shot tasks, together) are kept, older ones
   * deleted, unless the job sets `historyLimit`. `CRONFLEET_HISTORY_LIMIT`, default `unlimited` (null).
   */
  historyLimit: number | null;
  /**
   * Seconds between two retention sweeps on the leader (the first runs a minute after it takes the
   * lead). `CRONFLEET_RETENTION_INTERVAL_SECONDS`, default 600; 0: only `POST /api/v1/retention/run`.
   */
  retentionIntervalSeconds: number;
  /**
   * OpenTelemetry spans of every task, exported over OTLP/HTTP: on when `OTEL_EXPORTER_OTLP_ENDPOINT`
   * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set or `CRONFLEET_TRACING=otlp`; `CRONFLEET_TRACING=off`
   * or `OTEL_SDK_DISABLED=true` turn it off. The exporter reads the other standard OTEL_* variables.
   */
  tracing: boolean;
}

/**
 * Most `CRONFLEET_MAX_BODY_BYTES` may be: a job version's row carries a body's worth three times
 * (definition, before, after), and one statement must fit MariaDB's default max_allowed_packet (16 MiB).
 */
export const MAX_BODY_BYTES_LIMIT = 4 * 1024 * 1024;

export class ConfigError extends Error {
  readonly code = 'InvalidConfig';
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}='${raw}': must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** A positive whole number up to `max`, or `unlimited` (null); unset or empty: `def`. */
function requestTimeouts(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'requestTimeoutSeconds' | 'headersTimeoutSeconds'> {
  const requestTimeoutSeconds = int(env, 'CRONFLEET_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600);
  const headersTimeoutSeconds = int(env, 'CRONFLEET_HEADERS_TIMEOUT_SECONDS', Math.min(30, requestTimeoutSeconds), 1, 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(`CRONFLEET_HEADERS_TIMEOUT_SECONDS: ${headersTimeoutSeconds} is more than CRONFLEET_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds}); the headers are part of the request`);
  }
  return { requestTimeoutSeconds, headersTimeoutSeconds };
}

function limitOrUnlimited(env: NodeJS.ProcessEnv, name: string, def: number | null, max: number, unit: string): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return def;
  if (raw.toLowerCase() === 'unlimited') return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new ConfigError(`${name}='${raw}': must be a whole number of ${unit} from 1 to ${max}, or 'unlimited'`);
  return n;
}

function secretKey(env: NodeJS.ProcessEnv): Buffer | null {
  const raw = env.CRONFLEET_SECRET_KEY?.trim();
  if (!raw) return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('CRONFLEET_SECRET_KEY: must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
  return key;
}

function jobsDirMode(env: NodeJS.ProcessEnv): ServerConfig['jobsDirMode'] {
  const raw = env.CRONFLEET_JOBS_DIR_MODE?.trim() || 'watch';
  if (raw !== 'watch' && raw !== 'archive') throw new ConfigError(`CRONFLEET_JOBS_DIR_MODE='${raw}': must be 'watch' or 'archive'`);
  return raw;
}

function token(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (raw.length < 16) throw new ConfigError(`${name}: must be at least 16 characters`);
  return raw;
}

function smtpUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = env.CRONFLEET_SMTP_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('CRONFLEET_SMTP_URL: not a URL (expected smtp://user:password@host:587 or smtps://...)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError(`CRONFLEET_SMTP_URL: protocol '${url.protocol}' is not supported (use smtp: or smtps:)`);
  return raw;
}

function smtpFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.CRONFLEET_SMTP_FROM?.trim();
  if (!raw) return null;
  if (!/@[^@\s>]+>?$/.test(raw)) throw new ConfigError(`CRONFLEET_SMTP_FROM='${raw}': must be an email address, e.g. cronfleet@example.com or "Cronfleet <cronfleet@example.com>"`);
  return raw;
}

function parseDb(raw: string | undefined, dataDir: string): ServerConfig['db'] {
  if (!raw || raw.trim() === '' || raw === 'sqlite') return { kind: 'sqlite', file: resolve(dataDir, 'cronfleet.sqlite') };
  if (raw.startsWith('sqlite:')) return { kind: 'sqlite', file: resolve(raw.slice('sqlite:'.length).replace(/^\/\//, '')) };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CRONFLEET_DB: not a URL (expected mysql://user:password@host:3306/database or sqlite:path)`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(`CRONFLEET_DB: protocol '${url.protocol}' is not supported (use mysql: or sqlite:)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new ConfigError(`CRONFLEET_DB: database name '${database}' must be 1-64 letters, digits, _ or $`);
  }
  url.protocol = 'mysql:';
  return { kind: 'mysql', url: url.toString(), database };
}

function tls(env: NodeJS.ProcessEnv): ServerConfig['tls'] {
  const cert = env.CRONFLEET_TLS_CERT?.trim();
  const key = env.CRONFLEET_TLS_KEY?.trim();
  if (!cert && !key) return null;
  if (!cert || !key) throw new ConfigError(`${cert ? 'CRONFLEET_TLS_KEY' : 'CRONFLEET_TLS_CERT'}: required when ${cert ? 'CRONFLEET_TLS_CERT' : 'CRONFLEET_TLS_KEY'} is set (both, or neither for plain HTTP)`);
  return { certFile: resolve(cert), keyFile: resolve(key) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(env.CRONFLEET_DATA_DIR?.trim() || './data');
  const redis = env.CRONFLEET_REDIS?.trim() || null;
  if (redis && !/^rediss?:\/\//.test(redis)) throw new ConfigError(`CRONFLEET_REDIS: expected redis://host:port`);
  return {
    port: int(env, 'CRONFLEET_PORT', 8080, 0, 65535),
    host: env.CRONFLEET_HOST?.trim() || '0.0.0.0',
    dataDir,
    db: parseDb(env.CRONFLEET_DB?.trim(), dataDir),
    redisUrl: redis,
    redisPrefix: env.CRONFLEET_REDIS_PREFIX?.trim() || 'cronfleet:',
    leaseSeconds: int(env, 'CRONFLEET_LEASE_SECONDS', 10, 2, 600),
    heartbeatSeconds: int(env, 'CRONFLEET_HEARTBEAT_SECONDS', 5, 1, 300),
    adminToken: token(env, 'CRONFLEET_ADMIN_TOKEN'),
    workerToken: token(env, 'CRONFLEET_WORKER_TOKEN'),
    secretKey: secretKey(env),
    maxOutputBytes: int(env, 'CRONFLEET_MAX_OUTPUT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxBodyBytes: int(env, 'CRONFLEET_MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, MAX_BODY_BYTES_LIMIT),
    ...requestTimeouts(env),
    stopGraceSeconds: int(env, 'CRONFLEET_STOP_GRACE_SECONDS', 10, 0, 3600),
    ackTimeoutSeconds: int(env, 'CRONFLEET_ACK_TIMEOUT_SECONDS', 10, 1, 300),
    webhookSecret: token(env, 'CRONFLEET_WEBHOOK_SECRET'),
    smtpUrl: smtpUrl(env),
    smtpFrom: smtpFrom(env),
    jobsDir: env.CRONFLEET_JOBS_DIR?.trim() ? resolve(env.CRONFLEET_JOBS_DIR.trim()) : null,
    jobsDirMode: jobsDirMode(env),
    configFile: env.CRONFLEET_CONFIG?.trim() ? resolve(env.CRONFLEET_CONFIG.trim()) : null,
    tls: tls(env),
    historyDays: limitOrUnlimited(env, 'CRONFLEET_HISTORY_DAYS', 30, 36_500, 'days'),
    historyLimit: limitOrUnlimited(env, 'CRONFLEET_HISTORY_LIMIT', null, 1_000_000, 'tasks'),
    retentionIntervalSeconds: int(env, 'CRONFLEET_RETENTION_INTERVAL_SECONDS', 600, 0, 7 * 24 * 3600),
    tracing: tracing(env),
  };
}

function tracing(env: NodeJS.ProcessEnv): boolean {
  const mode = env.CRONFLEET_TRACING?.trim().toLowerCase();
  if (mode && mode !== 'otlp' && mode !== 'off') throw new ConfigError(`CRONFLEET_TRACING: expected otlp or off, got '${env.CRONFLEET_TRACING}'`);
  return tracingWanted(env);
}

/** Redacts the password of a database URL for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
