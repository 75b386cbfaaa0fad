export * from './protocol';
export * from './tracing/traceparent';
export * from './tracing/tracing';
export * from './api/contract';
export * from './scheduling';
