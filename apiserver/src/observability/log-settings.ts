import { ConfigError } from '../config/config';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  /** Least severe level written. `LOG_LEVEL`, default `info`. */
  level: LogLevel;
  /**
   * `json`: one pino JSON object per line; `pretty`: one human-readable line per entry.
   * `CRONFLEET_LOG_FORMAT`; default `pretty` when stdout is a terminal, else `json`.
   */
  format: LogFormat;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], def: T): T {
  const raw = env[name]?.trim();
  if (!raw) return def;
  const v = raw.toLowerCase() as T;
  if (!allowed.includes(v)) throw new ConfigError(`${name}='${raw}': must be one of ${allowed.join(', ')}`);
  return v;
}

/** Reads `LOG_LEVEL` and `CRONFLEET_LOG_FORMAT`; a bad value is a ConfigError naming the variable. */
export function readLogSettings(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogSettings {
  return {
    level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    format: oneOf(env, 'CRONFLEET_LOG_FORMAT', LOG_FORMATS, stdoutIsTty ? 'pretty' : 'json'),
  };
}
