export * from './check-definition';
export * from './steps-check';
export * from './workflow-params';
