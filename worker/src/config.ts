import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { PluginSource } from './plugins/plugin-loader';
import { namespaceNameProblem, tracingWanted } from '@cronfleet/shared';
import { resolveRunAs, type RunAs } from './run-as';
import { nativeSpawnerProblem, type SpawnerName } from './runners/spawner';

/** The worker's configuration, validated. Built by {@link loadWorkerConfig}. */
export interface WorkerConfig {
  /** Base URL of the API server, e.g. `http://scheduler:8080` (no path). `--server` / `CRONFLEET_SERVER`; required. */
  serverUrl: string;
  /** Shared worker token the server checks on connect. `--token` / `CRONFLEET_WORKER_TOKEN`; required. */
  token: string;
  /** Unique name in the fleet. `--name` / `CRONFLEET_WORKER_NAME`; default: the hostname. */
  name: string;
  /** Most tasks run at once, 1-10000. `--capacity` / `CRONFLEET_WORKER_CAPACITY`; default 4. */
  capacity: number;
  /** Labels cron jobs can select workers by. `--labels k=v,...` / `CRONFLEET_WORKER_LABELS`; default none. */
  labels: Record<string, string>;
  /**
   * The one namespace whose tasks this worker runs; null: every namespace's. `--namespace` /
   * `CRONFLEET_WORKER_NAMESPACE`; default null. The server refuses a namespace it does not have.
   */
  namespace: string | null;
  /**
   * On the first SIGINT/SIGTERM the worker drains: it takes no new task and waits for the running
   * ones. Seconds it waits before stopping them; null: no limit. `--shutdown-grace` /
   * `CRONFLEET_SHUTDOWN_GRACE_SECONDS`; default null (10 s when `cronfleet server --local-worker`
   * asks its worker to shut down).
   */
  shutdownGraceSeconds: number | null;
  /** When a task is stopped on shutdown: seconds from SIGTERM to SIGKILL. `--stop-grace` / `CRONFLEET_STOP_GRACE_SECONDS`; default 10. */
  stopGraceSeconds: number;
  /**
   * Directory of the results not yet acknowledged by the server and of the credential the server
   * issued to this worker name (file `credential`, mode 0600), kept across restarts.
   * `--state-dir` / `CRONFLEET_WORKER_STATE_DIR`; default `$XDG_STATE_HOME/cronfleet-worker/<name>`,
   * or `~/.local/state/cronfleet-worker/<name>` (the name %-escaped to one path segment).
   */
  stateDir: string;
  /**
   * The only programs command tasks (and script interpreters) may run; others are refused with
   * `CommandNotAllowed`. Bare names are found on the worker's PATH, symlinks followed: a task's
   * program must be the same file, reached under the same name (see CommandAllowList); a task whose
   * env sets PATH, LD_* and the like (REFUSED_ENV) is refused.
   * `--allowed-commands a,b,/usr/bin/c` / `CRONFLEET_WORKER_ALLOWED_COMMANDS`; default null: any.
   */
  allowedCommands: string[] | null;
  /**
   * PEM certificate(s) trusted, besides the system's CAs, for an `https://` server (REST and wss):
   * the server's self-signed certificate or a private CA. `--ca <file>` / `CRONFLEET_CA`; default
   * null: the system's CAs only.
   */
  ca: string | null;
  /**
   * The account command and script tasks run as, when the worker runs as root: a user name or
   * `uid[:gid]`. `--run-as` / `CRONFLEET_RUN_AS`; default null: the worker's own user.
   */
  runAs: RunAs | null;
  /**
   * Plugin runners to load at start, in order: paths (relative to the worker's working directory)
   * or package names resolvable from there. `--plugin <path-or-package>` (repeatable) /
   * `CRONFLEET_WORKER_PLUGINS` (comma-separated); the command line wins over the environment.
   * Default none.
   */
  plugins: PluginSource[];
  /**
   * Spans of every task exported over OTLP/HTTP, as on the server: on when `OTEL_EXPORTER_OTLP_ENDPOINT`
   * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set or `CRONFLEET_TRACING=otlp`; off by default, with
   * `CRONFLEET_TRACING=off` or `OTEL_SDK_DISABLED=true`. The exporter reads the other OTEL_* variables.
   */
  tracing: boolean;
  /**
   * How command and script tasks are started: `native` (posix_spawn through the worker's addon,
   * worker/native: about half the CPU per process) or `node` (node:child_process). `--spawn` /
   * `CRONFLEET_WORKER_SPAWN`: `auto` (the default) is `native` where the addon is built, else `node`;
   * an explicit `native` where it is not is a configuration error.
   */
  spawner: SpawnerName;
  /** When `auto` fell back to `node`: why, for the start-up log line. */
  spawnerFallback: string | null;
}

/** Options as given on the command line (strings, unvalidated); absent ones fall back to the environment. */
export interface WorkerCliOptions {
  server?: string;
  token?: string;
  name?: string;
  capacity?: string;
  labels?: string;
  namespace?: string;
  shutdownGrace?: string;
  stopGrace?: string;
  stateDir?: string;
  allowedCommands?: string;
  ca?: string;
  runAs?: string;
  /** `--plugin`, once per plugin. */
  plugin?: string[];
  spawn?: string;
}

export class ConfigError extends Error {
  readonly code = 'InvalidConfig';
}

interface Source {
  value: string | undefined;
  /** How the user set it, for messages: `--capacity` or `CRONFLEET_WORKER_CAPACITY`. */
  label: string;
}

/**
 * Merges command-line options over the environment and validates them; the only reader of
 * process.env in the worker. Throws {@link ConfigError} naming the option and the problem.
 */
export function loadWorkerConfig(options: WorkerCliOptions, env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const pick = (flag: string, variable: string, cli: string | undefined): Source =>
    cli !== undefined ? { value: cli, label: flag } : { value: nonEmpty(env[variable]), label: variable };

  // Values given but malformed are reported before missing ones: `--capacity abc` is the typo to fix.
  const capacity = parseCapacity(pick('--capacity', 'CRONFLEET_WORKER_CAPACITY', options.capacity));
  const labels = parseLabels(pick('--labels', 'CRONFLEET_WORKER_LABELS', options.labels));
  const namespaceOption = pick('--namespace', 'CRONFLEET_WORKER_NAMESPACE', options.namespace);
  const namespace = namespaceOption.value === undefined ? null : namespaceOption.value.trim();
  const namespaceProblem = namespace === null ? null : namespaceNameProblem(namespace);
  if (namespaceProblem !== null) throw new ConfigError(`${namespaceOption.label}: ${namespaceProblem}`);
  const shutdownGrace = pick('--shutdown-grace', 'CRONFLEET_SHUTDOWN_GRACE_SECONDS', options.shutdownGrace);
  const shutdownGraceSeconds = shutdownGrace.value === undefined ? null : parseSeconds(shutdownGrace);
  const stopGrace = pick('--stop-grace', 'CRONFLEET_STOP_GRACE_SECONDS', options.stopGrace);
  const stopGraceSeconds = stopGrace.value === undefined ? 10 : parseSeconds(stopGrace);
  const allowedCommands = parseAllowedCommands(pick('--allowed-commands', 'CRONFLEET_WORKER_ALLOWED_COMMANDS', options.allowedCommands));
  const ca = parseCa(pick('--ca', 'CRONFLEET_CA', options.ca));
  const runAsOption = pick('--run-as', 'CRONFLEET_RUN_AS', options.runAs);
  let runAs: RunAs | null = null;
  if (runAsOption.value !== undefined) {
    try {
      runAs = resolveRunAs(runAsOption.value.trim());
    } catch (e) {
      throw new ConfigError((e as Error).message.replace(/^--run-as/, runAsOption.label));
    }
  }
  const { spawner, spawnerFallback } = parseSpawn(pick('--spawn', 'CRONFLEET_WORKER_SPAWN', options.spawn));
  const plugins = parsePlugins(options.plugin, nonEmpty(env.CRONFLEET_WORKER_PLUGINS));
  const tracingMode = nonEmpty(env.CRONFLEET_TRACING)?.trim().toLowerCase();
  if (tracingMode !== undefined && tracingMode !== 'otlp' && tracingMode !== 'off') throw new ConfigError(`CRONFLEET_TRACING: expected otlp or off, got '${env.CRONFLEET_TRACING}'`);
  const stateDirOption = pick('--state-dir', 'CRONFLEET_WORKER_STATE_DIR', options.stateDir);
  const server = pick('--server', 'CRONFLEET_SERVER', options.server);
  const serverUrl = server.value === undefined ? undefined : parseServerUrl(server);
  const token = pick('--token', 'CRONFLEET_WORKER_TOKEN', options.token);
  const name = pick('--name', 'CRONFLEET_WORKER_NAME', options.name);
  const workerName = name.value ?? hostname();
  if (workerName.length < 1 || workerName.length > 128) throw new ConfigError(`${name.label}: must be 1-128 characters`);
  if (token.value !== undefined && token.value.length > 512) throw new ConfigError(`${token.label}: must be at most 512 characters`);
  if (!serverUrl) throw new ConfigError('--server: required (or set CRONFLEET_SERVER), e.g. --server http://scheduler:8080');
  if (!token.value) throw new ConfigError('--token: required (or set CRONFLEET_WORKER_TOKEN)');
  let stateDir: string;
  if (stateDirOption.value !== undefined) {
    if (stateDirOption.value.trim() === '') throw new ConfigError(`${stateDirOption.label}: must not be empty`);
    stateDir = resolve(stateDirOption.value);
  } else {
    const xdg = nonEmpty(env.XDG_STATE_HOME);
    // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
    const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(nonEmpty(env.HOME) ?? homedir(), '.local', 'state');
    stateDir = join(base, 'cronfleet-worker', pathSegment(workerName));
  }
  return { serverUrl, token: token.value, name: workerName, capacity, labels, namespace, shutdownGraceSeconds, stopGraceSeconds, stateDir, allowedCommands, ca, runAs, plugins, tracing: tracingWanted(env), spawner, spawnerFallback };
}

function parseSpawn(source: Source): { spawner: SpawnerName; spawnerFallback: string | null } {
  const wanted = source.value?.trim().toLowerCase() ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'native' && wanted !== 'node') throw new ConfigError(`${source.label}: expected auto, native or node, got '${source.value}'`);
  if (wanted === 'node') return { spawner: 'node', spawnerFallback: null };
  const problem = nativeSpawnerProblem();
  if (problem === null) return { spawner: 'native', spawnerFallback: null };
  if (wanted === 'native') throw new ConfigError(`${source.label}: the native spawner cannot be used here: ${problem}`);
  return { spawner: 'node', spawnerFallback: problem };
}

/**
 * A worker name as one safe path segment: letters, digits, `.`, `_` and `-` stay, anything else
 * becomes `%XX` (so two names never share a directory), and `.`/`..` are escaped too.
 */
export function pathSegment(name: string): string {
  const escaped = [...Buffer.from(name, 'utf8')]
    .map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return escaped === '.' || escaped === '..' ? escaped.replace(/\./g, '%2E') : escaped;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseServerUrl({ value, label }: Source): string {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new ConfigError(`${label}: '${value}' is not a URL (expected e.g. http://scheduler:8080)`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new ConfigError(`${label}: protocol '${url.protocol}' is not supported (use http: or https:)`);
  }
  // socket.io-client would read a path as the namespace, not as a prefix: refuse rather than misroute.
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`${label}: must be the server's base URL without a path, e.g. ${url.origin}`);
  }
  return url.origin;
}

function parseCapacity({ value, label }: Source): number {
  if (value === undefined) return 4;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new ConfigError(`${label}: must be a positive integer up to 10000, got '${value}'`);
  }
  return n;
}

function parseSeconds({ value = '', label }: Source): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 86_400) {
    throw new ConfigError(`${label}: must be a number of seconds from 0 to 86400, got '${value}'`);
  }
  return n;
}

/** Parses `k=v,k2=v2` (empty: no labels). */
function parseLabels({ value, label }: Source): Record<string, string> {
  const labels = new Map<string, string>();
  if (value === undefined || value.trim() === '') return {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    const val = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (eq < 0 || !/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/.test(key)) {
      throw new ConfigError(
        `${label}: '${pair.trim()}' is not key=value (key: 1-63 letters, digits, '.', '_', '-', '/'; e.g. region=eu,gpu=true)`,
      );
    }
    if (val.length > 255) throw new ConfigError(`${label}: value of '${key}' is longer than 255 characters`);
    if (labels.has(key)) throw new ConfigError(`${label}: label '${key}' is given twice`);
    labels.set(key, val);
  }
  return Object.fromEntries(labels);
}

/** Parses `name,name,/abs/path` (absent: no limit). */
function parseAllowedCommands({ value, label }: Source): string[] | null {
  if (value === undefined) return null;
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new ConfigError(`${label}: must name at least one command, e.g. pg_dump,sh,/usr/local/bin/backup`);
  for (const entry of entries) {
    const bare = !entry.includes('/') && entry !== '.' && entry !== '..';
    if (!bare && !entry.startsWith('/')) {
      throw new ConfigError(`${label}: '${entry}' must be a bare command name (e.g. pg_dump) or an absolute path (e.g. /usr/bin/pg_dump)`);
    }
  }
  return [...new Set(entries)];
}

/** `--plugin` values, else the comma-separated CRONFLEET_WORKER_PLUGINS; each once. Resolved and loaded at start (plugins/plugin-loader.ts). */
function parsePlugins(cli: string[] | undefined, fromEnv: string | undefined): PluginSource[] {
  const option = cli !== undefined && cli.length > 0 ? '--plugin' : 'CRONFLEET_WORKER_PLUGINS';
  const given = option === '--plugin' ? (cli ?? []).map((s) => s.trim()) : (fromEnv ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const seen = new Set<string>();
  for (const specifier of given) {
    if (specifier === '') throw new ConfigError(`${option}: must not be empty; give a path such as ./my-runner.js or a package name`);
    if (seen.has(specifier)) throw new ConfigError(`${option}: '${specifier}' is given twice`);
    seen.add(specifier);
  }
  return given.map((specifier) => ({ specifier, option }));
}

/** Reads the PEM file of `--ca` (absent: null), so that a wrong path stops the worker at start. */
function parseCa({ value, label }: Source): string | null {
  if (value === undefined) return null;
  let pem: string;
  try {
    pem = readFileSync(value, 'utf8');
  } catch (e) {
    throw new ConfigError(`${label}: cannot read '${value}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${label}: '${value}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}
