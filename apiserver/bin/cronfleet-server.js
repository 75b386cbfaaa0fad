#!/usr/bin/env node
'use strict';
// `cronfleet-server [--port N] ...`: the API server alone (the server image runs it); `cronfleet server`
// (the @cronfleet/cli package) runs the same, optionally with a local worker. Compiled code in dist/.
let cli;
try {
  cli = require('../dist/server-cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/server-cli.js')) {
    console.error('cronfleet-server: not built yet; run `npm run build` in the repository first');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (e) => { console.error(`cronfleet-server: ${e && e.message ? e.message : e}`); process.exit(1); },
);
