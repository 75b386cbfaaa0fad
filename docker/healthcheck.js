'use strict';
// HEALTHCHECK of the apiserver image: GET /readyz where the server listens, read from the same
// environment the server reads (CRONFLEET_PORT, CRONFLEET_HOST, CRONFLEET_TLS_CERT), so a server on
// another port, address or on HTTPS is probed where it is. Exit 0: ready; 1: not (with the reason).
// (`cronfleet server --port`/`--tls-cert` given as arguments are not seen here: use the variables.)
const http = require('node:http');
const https = require('node:https');

const env = process.env;
const port = Number((env.CRONFLEET_PORT || '8080').trim());
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`CRONFLEET_PORT=${env.CRONFLEET_PORT}: no fixed port to probe`);
// A wildcard address is probed on loopback, of the same family.
let host = (env.CRONFLEET_HOST || '').trim() || '0.0.0.0';
if (host === '0.0.0.0') host = '127.0.0.1';
else if (host === '::' || host === '[::]') host = '::1';
host = host.replace(/^\[(.*)\]$/, '$1');
const tls = Boolean((env.CRONFLEET_TLS_CERT || '').trim());

// With TLS the certificate names the server's public name, not the loopback address probed here, and
// may be self-signed: this probe of the container's own process does not verify it.
const req = (tls ? https : http).get(
  { host, port, path: '/readyz', timeout: 4000, rejectUnauthorized: false },
  (res) => {
    res.resume();
    if (res.statusCode === 200) process.exit(0);
    fail(`${tls ? 'https' : 'http'}://${host}:${port}/readyz answered ${res.statusCode}`);
  },
);
req.on('timeout', () => req.destroy(new Error('no answer within 4 s')));
req.on('error', (e) => fail(`${tls ? 'https' : 'http'}://${host}:${port}/readyz: ${e.message}`));

function fail(why) {
  console.error(`healthcheck: ${why}`);
  process.exit(1);
}
