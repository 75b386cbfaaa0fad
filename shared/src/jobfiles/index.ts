export * from './apply-plan';
export * from './definition-error';
export * from './job-file';
export * from './same-value';
export * from './secret-refs';
