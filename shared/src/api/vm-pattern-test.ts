import { createContext, Script } from 'node:vm';
import { compilePattern, PATTERN_TIMEOUT_MS, type PatternTest, usePatternTest } from './job-params';

// Node only: the browser-safe entry (@cronfleet/shared/api) never reaches this module; the Node
// entry (shared/src/index.ts) loads it, and loading it installs the test.

const script = new Script('re.test(v)');

/**
 * Whether `value` matches `pattern` as a whole; `timeout` after {@link PATTERN_TIMEOUT_MS}. The test
 * runs in a vm context only for its timeout: a catastrophic backtracking pattern stops there.
 */
export const vmPatternTest: PatternTest = (pattern, value) => {
  const re = compilePattern(pattern);
  if (typeof re === 'string') return false;
  try {
    return script.runInContext(createContext({ re, v: value }), { timeout: PATTERN_TIMEOUT_MS }) === true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw e;
  }
};

usePatternTest(vmPatternTest);
