import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Companion, StartedServer } from '@cronfleet/shared';

const say = (line: string) => process.stdout.write(`cronfleet: ${line}\n`);

/**
 * The worker `cronfleet server --local-worker` (and so `npm start`) runs beside the server: the
 * worker's own bin as a child process, connected over the same socket as any other worker. Stopped
 * after the server stops dispatching and before it closes, so its tasks finish (or are stopped) and
 * are recorded.
 */
export function startLocalWorker(bin: string, server: StartedServer): Companion {
  // Its undelivered results live beside the server's data, not in the user's home.
  // Over TLS it trusts the server's own certificate, which must then name localhost.
  const serverUrl = server.tlsCertFile ? `https://localhost:${server.port}` : `http://127.0.0.1:${server.port}`;
  const args = [bin, '--server', serverUrl, '--name', `local-${hostname()}`, '--state-dir', join(server.dataDir, 'worker-state'), ...(server.tlsCertFile ? ['--ca', server.tlsCertFile] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    // The token goes through the environment, not argv, which `ps` shows to every user of the host.
    env: { ...process.env, CRONFLEET_WORKER_TOKEN: server.workerToken },
    // Own process group: Ctrl-C reaches only the server, which stops the worker once, in order.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  say(`local worker started (pid ${child.pid}, name local-${hostname()}, capacity ${process.env.CRONFLEET_WORKER_CAPACITY ?? 4})`);
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) say(`local worker exited (${signal ?? `code ${code}`})`);
  });
  return {
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // Over IPC it shuts down as on SIGTERM, with the local worker's own grace (worker/src/cli.ts).
      if (child.connected) child.send({ type: 'shutdown' });
      else child.kill('SIGTERM');
      await exited;
    },
    kill() {
      stopping = true;
      child.kill('SIGKILL');
    },
  };
}
