#!/usr/bin/env node
'use strict';
// `cronfleet ...`: the admin commands, `cronfleet server` and `cronfleet worker`; the compiled CLI
// lives in dist/ (npm run build).
// A reader that goes away (`cronfleet tasks ls | head`) ends the output, not the program with a
// stack trace: what it wanted is written.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
let cli;
try {
  cli = require('../dist/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/main.js')) {
    console.error('cronfleet: not built yet; run `npm run build` in the repository first');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (e) => { console.error(`cronfleet: ${e && e.message ? e.message : e}`); process.exit(1); },
);
