import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { prettyLine, toLogEntry } from './log-format';
import type { LogLevel, LogSettings } from './log-settings';

/** Nest's start-up chatter (one line per module and route): shown at debug level only. */
const QUIET_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'WebSocketsController']);

interface Line {
  write(line: string): unknown;
}

/**
 * The server's logger, in place of Nest's console output: pino, one entry per line, with `level`,
 * `time` (ISO-8601), `context` (the Nest logger's name, e.g. `dispatcher`), `msg` (the message text
 * unchanged) and the task, cron job and worker ids the message names as fields. Entries of level
 * error and fatal go to stderr, the rest to stdout. `format: 'pretty'` writes the same entries as
 * plain single lines, for a terminal.
 */
export class AppLogger implements LoggerService {
  private readonly pino: pino.Logger;

  constructor(
    settings: LogSettings = { level: 'info', format: process.stdout.isTTY ? 'pretty' : 'json' },
    out: { stdout: Line; stderr: Line } = { stdout: process.stdout, stderr: process.stderr },
  ) {
    const wrap = (s: Line): Line => (settings.format === 'pretty' ? { write: (line: string) => s.write(prettyLine(line)) } : s);
    this.pino = pino(
      { level: settings.level, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      pino.multistream(
        [
          { level: 'trace', stream: wrap(out.stdout) },
          { level: 'error', stream: wrap(out.stderr) },
        ],
        { dedupe: true },
      ),
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && QUIET_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const { msg, fields } = toLogEntry(message, params);
    this.pino[level](fields, msg);
  }
}
