// The `cronfleet` command writing into a pipe whose reader went away (`cronfleet tasks ls | head -1`):
// the output ends there and the command exits as it would have, without a stack trace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI_BIN } from './helpers';

describe('the cronfleet command into a closed pipe', () => {
  it('exits 0 without an EPIPE stack trace when its reader has gone before it writes', async () => {
    const child = spawn(process.execPath, [CLI_BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `head -1` that has read its line: our end is closed, so the command's write finds no reader.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  });
});
