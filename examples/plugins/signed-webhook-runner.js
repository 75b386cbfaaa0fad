// @ts-check
'use strict';
/**
 * The `signed-webhook` plugin runner: POSTs a JSON body signed with HMAC-SHA256, the way Cronfleet
 * signs its own notification webhooks (`X-Cronfleet-Signature: sha256=<hex of the body>`), with a
 * key from the job's secrets. A CommonJS module whose export is a factory: the worker calls it once
 * at start with a PluginContext. See README.md in this folder.
 *
 *   cronfleet-worker --plugin ./examples/plugins/signed-webhook-runner.js ...
 *   job: { "runner": "signed-webhook",
 *          "spec": { "url": "https://hooks.example.com/nightly", "payload": { "report": "sales" } },
 *          "secretEnv": { "WEBHOOK_SECRET": "…" } }
 *
 * The receiver gets `{ "task": { "id", "cronjob", "scheduledAt", "attempt" }, "payload": … }` and
 * checks the signature over the exact body bytes. The task's output is the status line and the
 * response body (at most 64 KiB); success iff the status is 2xx.
 */
const { createHmac } = require('node:crypto');

/** @typedef {import('@cronfleet/worker').PluginContext} PluginContext */
/** @typedef {import('@cronfleet/worker').PluginRunner} PluginRunner */
/** @typedef {import('@cronfleet/worker').PluginSpec} PluginSpec */
/** @typedef {import('@cronfleet/worker').RunnerResult} RunnerResult */

const FIELDS = ['url', 'payload', 'secretVar', 'headers', 'timeoutSeconds'];
const MAX_BODY_BYTES = 64 * 1024;
/** Network failures worth another attempt (the job's retry policy decides). */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * @param {PluginSpec} spec
 * @returns {string | null} what is wrong, naming the field; null when the spec is fine
 */
function validate(spec) {
  const unknown = Object.keys(spec).filter((k) => !FIELDS.includes(k));
  if (unknown.length) return unknown.map((k) => `spec.${k}: unknown field (expected ${FIELDS.join(', ')})`).join('; ');
  let url;
  try {
    url = new URL(String(spec.url));
  } catch {
    return `spec.url: must be an http:// or https:// URL, got ${JSON.stringify(spec.url)}`;
  }
  if (typeof spec.url !== 'string' || !['http:', 'https:'].includes(url.protocol)) return 'spec.url: must be an http:// or https:// URL';
  if (spec.secretVar !== undefined && (typeof spec.secretVar !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.secretVar))) {
    return 'spec.secretVar: must be the name of an environment variable of the job (default WEBHOOK_SECRET)';
  }
  const { headers } = spec;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'spec.headers: must be an object of header names to values';
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') return `spec.headers.${name}: must be a string`;
    }
  }
  const t = spec.timeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || Number(t) < 1 || Number(t) > 3600)) return 'spec.timeoutSeconds: must be whole seconds from 1 to 3600';
  return null;
}

/**
 * @param {PluginContext} context
 * @returns {PluginRunner}
 */
module.exports = function createSignedWebhookRunner(context) {
  context.log('ready: POSTs signed with HMAC-SHA256 (X-Cronfleet-Signature)');
  return {
    name: 'signed-webhook',
    validate,
    start(task, io) {
      const spec = task.spec;
      const secretVar = /** @type {string} */ (spec.secretVar ?? 'WEBHOOK_SECRET');
      // Secrets arrive decrypted in task.secretEnv, for this run only; never log them. The worker
      // masks their values in the output and the error message anyway.
      const key = task.secretEnv[secretVar] ?? task.env[secretVar];
      if (!key) {
        /** @type {RunnerResult} */
        const missing = { status: 'failed', error: { code: 'MissingSecret', message: `no ${secretVar} variable: add it to the job's secretEnv`, retryable: false } };
        return { done: Promise.resolve(missing), stop() {}, kill() {} };
      }
      const body = JSON.stringify({
        task: { id: task.taskId, cronjob: task.cronjobName, scheduledAt: new Date(task.scheduledAtMs).toISOString(), attempt: task.attempt },
        payload: spec.payload ?? null,
      });
      const controller = new AbortController();
      /** @type {'killed' | 'timeout' | null} */
      let ending = null;
      const abort = (/** @type {'killed' | 'timeout'} */ why) => {
        ending ??= why;
        controller.abort();
      };
      const timer = setTimeout(() => abort('timeout'), Number(spec.timeoutSeconds ?? 30) * 1000);

      /** @returns {Promise<RunnerResult>} */
      const post = async () => {
        const url = new URL(/** @type {string} */ (spec.url));
        url.username = url.password = '';
        io.output(`POST ${url}\n`);
        const response = await fetch(/** @type {string} */ (spec.url), {
          method: 'POST',
          headers: {
            ...(/** @type {Record<string, string>} */ (spec.headers ?? {})),
            'content-type': 'application/json',
            'user-agent': 'cronfleet-signed-webhook',
            'x-cronfleet-task-id': String(task.taskId),
            'x-cronfleet-signature': `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`,
          },
          body,
          signal: controller.signal,
        });
        io.output(`HTTP ${response.status} ${response.statusText}\n\n`);
        const reader = response.body?.getReader();
        const decoder = new TextDecoder();
        let bytes = 0;
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          const take = value.subarray(0, Math.max(0, MAX_BODY_BYTES - bytes));
          bytes += take.byteLength;
          io.output(decoder.decode(take, { stream: true }));
          if (take.byteLength < value.byteLength) {
            await reader.cancel();
            io.output(`\n[response body cut at ${MAX_BODY_BYTES} bytes]\n`);
            break;
          }
        }
        if (response.ok) return { status: 'success' };
        return { status: 'failed', error: { code: 'UnexpectedStatus', message: `HTTP ${response.status}, expected 2xx`, retryable: response.status >= 500 } };
      };

      const done = post().then(
        (result) => result,
        /** @returns {RunnerResult} */
        (e) => {
          if (ending) return { status: ending };
          const code = e?.cause?.code ?? 'WebhookFailed';
          return { status: 'failed', error: { code, message: String(e?.cause?.message ?? e?.message ?? e), retryable: TRANSIENT.has(code) } };
        },
      ).finally(() => clearTimeout(timer));

      // One request, nothing to wind down: a stop aborts it at once, like a kill.
      return { done, stop: () => abort('killed'), kill: () => abort('killed') };
    },
  };
};
