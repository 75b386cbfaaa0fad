/** Injection tokens for the values resolved before Nest starts (see app.module.ts). */
export const SERVER_CONFIG = Symbol('SERVER_CONFIG');
export const TOKENS = Symbol('TOKENS');
/** This server instance's id: host, pid and a random suffix. */
export const INSTANCE_ID = Symbol('INSTANCE_ID');
