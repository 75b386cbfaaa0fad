import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** The compiled kernel sits in build/apiserver/src/scheduling; its sources two levels up from build/. */
const SOURCES = join(__dirname, '../../../../apiserver/src/scheduling');
/** What the scheduling kernel may import: its own files, the shared protocol, cron-parser and Node. */
const ALLOWED = [/^\.\/[\w.-]+$/, /^@cronfleet\/shared$/, /^cron-parser$/, /^node:/];

describe('the scheduling kernel', () => {
  it('imports no framework, database or other server folder: only its own files, shared, cron-parser and Node', () => {
    const files = readdirSync(SOURCES).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    assert.ok(files.length >= 10, `found only ${files.length} files in ${SOURCES}`);
    const bad: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(join(SOURCES, f), 'utf8').matchAll(/(?:from|import|require)\s*\(?\s*'([^']+)'/g)) {
        if (!ALLOWED.some((re) => re.test(m[1]))) bad.push(`${f}: ${m[1]}`);
      }
    }
    assert.deepEqual(bad, []);
  });
});
