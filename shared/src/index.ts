export * from './util/graph';
export * from './protocol';
export * from './tracing/traceparent';
export * from './tracing/tracing';
export * from './api';
// Node's time limit on param patterns, installed as this entry loads (api/job-params.ts).
export * from './api/vm-pattern-test';
export * from './scheduling';
export * from './jobfiles';
export * from './workflows';
export * from './commands';
