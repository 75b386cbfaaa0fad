// `@cronfleet/shared/api`, the browser-safe entry (the dashboard and @cronfleet/client load it): the
// REST contract, its schemas and views, the live events, and the parts of the worker protocol they
// are made of. Nothing here, nor anything it imports, may need Node (scripts/check-imports.js,
// rule browser-safe): `@cronfleet/shared` (../index.ts) adds what does.
export * from './access';
export * from './api-tokens';
export * from './audit';
export * from './contract';
export * from './cronjobs';
export * from './decimal';
export * from './display';
export * from './job-params';
export * from './live';
export * from './loader-status';
export * from './namespaces';
export * from './notify';
export * from './notify-events';
export * from './params';
export * from './policies';
export * from './roles';
export * from './routes';
export * from './runner-spec';
export * from './schedules';
export * from './tasks';
export * from './trigger-params';
export * from './triggers';
export * from './versions';
export * from './views';
export * from './workflow-definition';
export * from './workflows';
export * from '../protocol/errors';
export * from '../protocol/namespaces';
export * from '../protocol/runners';
export { FINAL_TASK_STATUSES, TASK_STATUSES, type TaskStatus, WorkerStatsSchema, type WorkerStats } from '../protocol/messages';
export { describeIssues } from '../protocol/validate';
