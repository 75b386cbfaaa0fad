import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLogSettings } from './log-settings';

describe('readLogSettings', () => {
  it('defaults to info, JSON when stdout is not a terminal and pretty lines when it is', () => {
    assert.deepEqual(readLogSettings({}, false), { level: 'info', format: 'json' });
    assert.deepEqual(readLogSettings({}, true), { level: 'info', format: 'pretty' });
  });

  it('takes LOG_LEVEL and CRONFLEET_LOG_FORMAT in any case, the format over the terminal guess', () => {
    assert.deepEqual(readLogSettings({ LOG_LEVEL: ' WARN ', CRONFLEET_LOG_FORMAT: 'json' }, true), { level: 'warn', format: 'json' });
    assert.deepEqual(readLogSettings({ LOG_LEVEL: 'trace', CRONFLEET_LOG_FORMAT: 'Pretty' }, false), { level: 'trace', format: 'pretty' });
  });

  it('refuses an unknown level or format with a config error naming the variable and the choices', () => {
    assert.throws(() => readLogSettings({ LOG_LEVEL: 'verbose' }, false), {
      code: 'InvalidConfig',
      message: "LOG_LEVEL='verbose': must be one of trace, debug, info, warn, error, fatal",
    });
    assert.throws(() => readLogSettings({ CRONFLEET_LOG_FORMAT: 'xml' }, false), { message: /^CRONFLEET_LOG_FORMAT='xml': must be one of json, pretty$/ });
  });
});
