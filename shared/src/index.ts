export * from './util/graph';
export * from './protocol';
export * from './tracing/traceparent';
export * from './tracing/tracing';
export * from './api';
export * from './scheduling';
export * from './jobfiles';
export * from './workflows';
