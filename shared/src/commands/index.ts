export * from './package-commands';
