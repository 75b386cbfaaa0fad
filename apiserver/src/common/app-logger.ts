import { ConsoleLogger } from '@nestjs/common';

/** Nest's start-up chatter (one line per module and route) that says nothing an operator needs. */
const QUIET_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'WebSocketsController']);

/** Nest's console logger without the start-up chatter, coloured only on a terminal. */
export class AppLogger extends ConsoleLogger {
  constructor() {
    super('cronfleet', { colors: Boolean(process.stdout.isTTY), logLevels: ['log', 'warn', 'error', 'fatal'] });
  }

  override log(message: unknown, context?: string): void {
    if (context && QUIET_CONTEXTS.has(context)) return;
    super.log(message, context);
  }
}
