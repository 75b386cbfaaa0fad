// TLS end to end: `cronfleet server --tls-cert --tls-key` with a self-signed certificate made here
// by openssl serves HTTPS, and a worker started with --ca joins over wss on the same port and runs a task.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, assertNoLeakedProcesses, freePort, randomId, repoRoot, TestProcess, waitFor } from './helpers';

interface Answer {
  status: number;
  body: unknown;
}

describe('a server with a TLS certificate', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cronfleet-e2e-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const adminToken = `admin-${randomId(16)}`;
  const workerToken = `worker-${randomId(16)}`;
  let port: number;
  let server: TestProcess | undefined;
  const workers: TestProcess[] = [];
  const logs = (): string => [server?.report(), ...workers.map((w) => w.report())].filter(Boolean).join('\n');
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const out: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRONFLEET_') && !k.startsWith('NODE_TEST') && k !== 'NODE_OPTIONS') out[k] = v;
    return { ...out, ...extra };
  };

  /** One HTTPS request that trusts only our certificate. */
  const api = (method: string, path: string, body?: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: 'localhost', port, path, method, ca: readFileSync(cert), headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, timeout: 5000 },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  const startTlsWorker = (name: string, extra: string[]): TestProcess => {
    const w = new TestProcess(
      `worker:${name}`,
      [join(repoRoot, 'worker/bin/cronfleet-worker.js'), '--server', `https://localhost:${port}`, '--name', name, '--state-dir', join(dir, `state-${name}`), '--shutdown-grace', '5', ...extra],
      { cwd: dir, env: env({ CRONFLEET_WORKER_TOKEN: workerToken }) },
    );
    workers.push(w);
    return w;
  };

  before(
    async () => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'pipe' });
      port = await freePort();
      server = new TestProcess(`server:${port}`, [CLI_BIN, 'server', '--tls-cert', cert, '--tls-key', key], {
        cwd: dir,
        env: env({ CRONFLEET_PORT: String(port), CRONFLEET_HOST: '127.0.0.1', CRONFLEET_DATA_DIR: join(dir, 'data'), CRONFLEET_ADMIN_TOKEN: adminToken, CRONFLEET_WORKER_TOKEN: workerToken }),
      });
      await waitFor(async () => (await api('GET', '/healthz')).status === 200, { timeoutMs: 30_000, what: 'https://localhost/healthz to answer 200', details: logs });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      for (const w of workers) await w.stop();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it('serves REST over HTTPS, and plain HTTP not at all', async () => {
    assert.equal((await api('GET', '/api/v1/cronjobs')).status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) }));
    assert.match(server!.output(), new RegExp(`listening on https://127\\.0\\.0\\.1:${port}`));
  });

  it('lets a worker that trusts the certificate (--ca) join over wss and run a task', async () => {
    const name = `tls-${randomId()}`;
    startTlsWorker(name, ['--ca', cert]);
    await waitFor(async () => ((await api('GET', '/api/v1/workers')).body as { items: { name: string; status: string }[] }).items.some((w) => w.name === name && w.status === 'online'), {
      timeoutMs: 20_000,
      what: `worker ${name} online over wss`,
      details: logs,
    });
    const job = await api('POST', '/api/v1/cronjobs', { name: `tls-job-${randomId()}`, schedule: '0 0 1 1 *', runner: 'command', spec: { command: 'echo', args: ['over tls'] } });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    const run = await api('POST', `/api/v1/cronjobs/${(job.body as { id: number }).id}/run`);
    const taskId = (run.body as { taskId: number }).taskId;
    const task = await waitFor(
      async () => {
        const t = (await api('GET', `/api/v1/tasks/${taskId}`)).body as { status: string };
        return ['success', 'failed', 'timeout', 'killed', 'lost'].includes(t.status) && t;
      },
      { timeoutMs: 20_000, what: `task ${taskId} to end`, details: logs },
    );
    assert.equal(task.status, 'success', logs());
  });

  it('leaves a worker without --ca unconnected, saying why', async () => {
    const w = startTlsWorker(`tls-untrusting-${randomId()}`, []);
    await waitFor(() => /cannot connect to https:\/\/localhost:\d+: .*/.test(w.output()), { timeoutMs: 20_000, what: 'the worker to report the untrusted certificate', details: () => w.report() });
    assert.match(w.output(), /cannot connect to https:\/\/localhost:\d+: TLS: the server's certificate is self-signed: .*; trust it with --ca <its PEM file> \(or CRONFLEET_CA\); retrying/);
    assert.equal(w.exited, false, 'a TLS failure is retried, not fatal');
  });
});
