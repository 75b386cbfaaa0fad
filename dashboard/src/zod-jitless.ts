// The page runs under a Content-Security-Policy without 'unsafe-eval' (apiserver/src/dashboard/
// serve-dashboard.ts). zod compiles its object parsers with `new Function` unless told not to, and
// probes for it as each object schema is made: the browser reports that probe as a violation even
// though zod catches it. main.tsx imports this first, before any schema of the contract is made.
import { config } from 'zod';

config({ jitless: true });
