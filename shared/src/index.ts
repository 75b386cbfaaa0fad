// `@cronfleet/shared`, the Node entry: the browser-safe contract (./api, also `@cronfleet/shared/api`)
// and what needs Node or is the server's and the worker's own: the socket protocol, the scheduling
// kernel, job and workflow files, tracing, and node:vm's time limit on param patterns, which loading
// this entry installs as the test of every param check (api/vm-pattern-test.ts).
export * from './util/graph';
export * from './protocol';
export * from './tracing/traceparent';
export * from './tracing/tracing';
export * from './api';
export * from './api/vm-pattern-test';
export * from './scheduling';
export * from './jobfiles';
export * from './workflows';
export * from './commands';
