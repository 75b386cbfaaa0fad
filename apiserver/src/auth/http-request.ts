import { HttpException, HttpStatus } from '@nestjs/common';
import type { Actor } from '@cronfleet/shared';

/** The parts of Fastify's request the guard and the audit hooks use. */
export interface HttpRequest {
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  ip?: string;
  socket?: { remoteAddress?: string };
  /** The matched route: its pattern (`/api/v1/cronjobs/:id`) is in `url`. */
  routeOptions?: { url?: string };
  /** Set by the guard once the token is known. */
  actor?: Actor;
}

export interface HttpResponse {
  statusCode: number;
  header(name: string, value: string): unknown;
}

/** The peer address (no proxy headers are trusted): what rate limits and the audit log go by. */
const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** Whether a request changes something: the calls the audit log records. */
export const isMutating = (req: HttpRequest): boolean => MUTATING.has(req.method.toUpperCase());

export const clientAddress = (req: HttpRequest): string => req.ip ?? req.socket?.remoteAddress ?? 'unknown';

/** The path without its query string. */
export const pathOf = (req: HttpRequest): string => req.originalUrl.split('?')[0];

/** The route's pattern (`/api/v1/cronjobs/:id`), or the path when no route matched. */
export const routePattern = (req: HttpRequest): string => req.routeOptions?.url ?? pathOf(req);

/** How refusals and spans name a route: `POST /api/v1/cronjobs/{id}/run`, from a method and the route's pattern (`/api/v1/cronjobs/:id/run`). */
export function routeKey(method: string, routePath: string): string {
  return `${method.toUpperCase()} ${routePath.replace(/:(\w+)/g, '{$1}')}`;
}

/** 429 for an address with too many failed token checks; its code is `TooManyAuthFailures`. */
export class TooManyAuthFailuresException extends HttpException {
  constructor(message: string) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
