export * from './version';
export * from './errors';
export * from './runners';
export * from './messages';
export * from './events';
export * from './validate';
export * from './batch-sender';
export * from './namespaces';
