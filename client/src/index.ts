/**
 * @cronfleet/client: a typed client of the Cronfleet REST API and its live events, made from the
 * route contract in @cronfleet/shared/api. Runs wherever fetch does (Node 20, browsers).
 */
export { createClient, type ClientCore, type CreateClientOptions, type CronfleetClient, type DefaultRoutes } from './create-client';
export { bindRoutes, type ApiGroups, type BoundGroup, type BoundRoute, type BoundRoutes, type CallArgs, type RouteCaller } from './bind-routes';
export type { Answer, CallInput, CallOptions, ClientOptions } from './transport';
export { CronfleetApiError, isCronfleetApiError, fieldOf, RETRYABLE_STATUSES, CLIENT_ERROR_CODES, isClientErrorCode, type ClientErrorCode, type CronfleetApiErrorInit } from './cronfleet-api-error';
export { DEFAULT_RETRY, backoffDelayMs, parseRetryAfterMs, mayResendWithoutAnswer, type RetryOptions } from './retry-policy';
export { normaliseBaseUrl, fillPath, queryString, type QueryValue } from './request-url';
export { LIVE_EVENTS_ROUTE, type LiveEventData, type LiveEventFilters, type LiveEventMessage, type LiveEventOptions } from './live-events';
export type { LiveEvent, LiveEventType, LiveTaskRef } from '@cronfleet/shared/api';
export { TASK_OUTPUT_ROUTE, type FollowOutputOptions, type TaskOutputEvent } from './task-output';
export type { EnqueueBatchOptions, TaskHelpers, TaskHelpersOf, TaskInput, TaskRoutes } from './task-helpers';
export { SseParser, type SseMessage } from './sse-parser';
export type { ReconnectInfo, StreamOptions } from './event-stream';
