/**
 * The small result a task passes to the jobs it triggers (chains): a JSON object printed on a line
 * marked `::cronfleet-result::`, else the last non-empty line of its output. It reaches the next task
 * as environment variables, so it is bounded.
 */

export const RESULT_MARKER = '::cronfleet-result::';
/** Bytes of result passed on at most; a longer one is refused rather than cut (a cut JSON is wrong). */
export const MAX_RESULT_BYTES = 4096;

export type ChainResult = { kind: 'json'; value: Record<string, unknown>; text: string } | { kind: 'line'; text: string } | { kind: 'none' } | { kind: 'error'; message: string };

/** Reads the result from a task's whole output (the last marked line wins). */
export function chainResult(output: string): ChainResult {
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i].indexOf(RESULT_MARKER);
    if (at < 0) continue;
    const text = lines[i].slice(at + RESULT_MARKER.length).trim();
    if (Buffer.byteLength(text) > MAX_RESULT_BYTES) return { kind: 'error', message: `the marked result is longer than ${MAX_RESULT_BYTES} bytes` };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { kind: 'error', message: `the marked result is not JSON (${(e as Error).message})` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'error', message: 'the marked result must be a JSON object' };
    return { kind: 'json', value: value as Record<string, unknown>, text };
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i].trim();
    if (!text) continue;
    if (Buffer.byteLength(text) > MAX_RESULT_BYTES) return { kind: 'line', text: Buffer.from(text).subarray(0, MAX_RESULT_BYTES).toString('utf8').replace(/\uFFFD$/, '') };
    return { kind: 'line', text };
  }
  return { kind: 'none' };
}

/**
 * The environment the next task gets: `CRONFLEET_UPSTREAM_RESULT` (the text), and for a JSON object
 * each top-level scalar as `CRONFLEET_RESULT_<KEY>` (key upper-cased, other characters as `_`).
 */
export function resultEnv(r: ChainResult, upstream: { taskId: number; status: string }): Record<string, string> {
  const env: Record<string, string> = { CRONFLEET_UPSTREAM_TASK_ID: String(upstream.taskId), CRONFLEET_UPSTREAM_STATUS: upstream.status };
  if (r.kind === 'line') env.CRONFLEET_UPSTREAM_RESULT = r.text;
  if (r.kind === 'json') {
    env.CRONFLEET_UPSTREAM_RESULT = r.text;
    for (const [k, v] of Object.entries(r.value)) {
      if (v === null || typeof v === 'object') continue;
      env[`CRONFLEET_RESULT_${k.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = String(v);
    }
  }
  return env;
}
