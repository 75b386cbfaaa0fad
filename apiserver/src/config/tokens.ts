/** Injection tokens for the values resolved before Nest starts (see app.module.ts). */
export const SERVER_CONFIG = Symbol('SERVER_CONFIG');
export const TOKENS = Symbol('TOKENS');
