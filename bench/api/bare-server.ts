// The reference for `GET /healthz`: a bare node:http server answering the same small JSON, run as
// its own process (`node bare-server.js`) so its CPU is measured like the Cronfleet server's.
// Prints its port on stdout once listening; exits on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = JSON.stringify({ status: 'ok', leader: true });
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(BODY)) };

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
