// The secrets loader run by real shells (/bin/sh, and busybox sh where installed), as a container
// runs it; the rest of docker-secrets is unit-tested in worker/src/runners/docker-secrets.spec.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SECRETS_LOADER, encodeSecrets } from '../../src/runners/docker-secrets';

describe('docker secrets', () => {
  it('loads every value exactly, with shell built-ins, and then runs the command with the rest of stdin', () => {
    const values = { QUOTES: `'a' "b" $(id) \`id\``, ESCAPES: '\\n \\c \\0101 %s %b \\\\', LINES: 'one\ntwo\n\n', EMPTY: '', SPACES: '  lead and trail  ' };
    for (const shell of ['/bin/sh', 'busybox'].filter((s) => s !== 'busybox' || hasBusybox())) {
      const argv = shell === 'busybox' ? ['busybox', 'sh'] : [shell];
      const script = `for n in QUOTES ESCAPES LINES EMPTY SPACES; do eval "printf '%s=<%s>|' \\"\\$n\\" \\"\\$$n\\""; done; cat`;
      const out = execFileSync(argv[0]!, [...argv.slice(1), '-c', SECRETS_LOADER, 'cronfleet-secrets', '/bin/sh', '-c', script], { input: `${encodeSecrets(values)}rest of stdin`, encoding: 'utf8' });
      assert.equal(out, `${Object.entries(values).map(([k, v]) => `${k}=<${v}>|`).join('')}rest of stdin`, shell);
    }
  });
});

function hasBusybox(): boolean {
  try {
    execFileSync('busybox', ['true']);
    return true;
  } catch {
    return false;
  }
}
