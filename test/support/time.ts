import assert from 'node:assert/strict';

/** Epoch ms of an ISO-8601 string written in a test, failing loudly on a typo rather than giving NaN. */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  assert.ok(Number.isFinite(ms), `bad ISO string in test: ${iso}`);
  return ms;
}
