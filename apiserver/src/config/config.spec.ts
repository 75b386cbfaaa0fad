import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config';

describe('retention settings', () => {
  it('keep 30 days and any number of finished tasks, sweeping every 10 minutes, by default', () => {
    const c = loadConfig({});
    assert.deepEqual([c.historyDays, c.historyLimit, c.retentionIntervalSeconds], [30, null, 600]);
  });

  it("take whole numbers or 'unlimited', and 0 turns the timer off", () => {
    const c = loadConfig({ CRONFLEET_HISTORY_DAYS: 'unlimited', CRONFLEET_HISTORY_LIMIT: '500', CRONFLEET_RETENTION_INTERVAL_SECONDS: '0' });
    assert.deepEqual([c.historyDays, c.historyLimit, c.retentionIntervalSeconds], [null, 500, 0]);
  });

  it('refuse anything else, naming the variable', () => {
    for (const [name, raw] of [['CRONFLEET_HISTORY_DAYS', '0'], ['CRONFLEET_HISTORY_DAYS', '1.5'], ['CRONFLEET_HISTORY_LIMIT', '-1'], ['CRONFLEET_HISTORY_LIMIT', 'lots'], ['CRONFLEET_RETENTION_INTERVAL_SECONDS', '-5']]) {
      assert.throws(() => loadConfig({ [name]: raw }), (e: Error) => e.message.startsWith(`${name}='${raw}'`), `${name}=${raw}`);
    }
  });
});

describe('request limits', () => {
  it('give a client 30 s for a whole request and its headers, and take 2 MiB of body, by default', () => {
    const c = loadConfig({});
    assert.deepEqual([c.requestTimeoutSeconds, c.headersTimeoutSeconds, c.maxBodyBytes], [30, 30, 2 * 1024 * 1024]);
    assert.deepEqual([loadConfig({ CRONFLEET_REQUEST_TIMEOUT_SECONDS: '10' }).headersTimeoutSeconds], [10]);
  });

  it('refuse headers given longer than the whole request, and a body limit past what MySQL takes in one statement', () => {
    assert.throws(() => loadConfig({ CRONFLEET_REQUEST_TIMEOUT_SECONDS: '10', CRONFLEET_HEADERS_TIMEOUT_SECONDS: '20' }), /^Error: CRONFLEET_HEADERS_TIMEOUT_SECONDS: 20 is more than CRONFLEET_REQUEST_TIMEOUT_SECONDS \(10\)/);
    assert.throws(() => loadConfig({ CRONFLEET_MAX_BODY_BYTES: String(4 * 1024 * 1024 + 1) }), (e: Error) => e.message.startsWith('CRONFLEET_MAX_BODY_BYTES='));
  });
});
