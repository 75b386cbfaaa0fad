// The worker CLI as bin/cronfleet-worker.js runs it, but from the test build (bin/ loads dist/),
// for specs that need a real process: signals, the IPC channel of `cronfleet server --local-worker`.
import { main } from '../../src/cli';

void main();
