import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateDirError } from './result-spool';

/** The credential's file in the state directory. */
export const CREDENTIAL_FILE = 'credential';

/**
 * The credential the server issued to this worker name at its enrolment, kept in the state directory
 * (file `credential`, mode 0600, readable by the worker's user only) so that a restarted worker can
 * prove it is the one that enrolled. Its value is never logged: messages name the file, not what it
 * holds. Losing the file (a rebuilt host, a wiped volume) means an admin re-enrols the worker.
 */
export class CredentialStore {
  private value: string | null;
  private readonly file: string;

  /**
   * Reads the credential an earlier run kept in `stateDir` (which exists and is writable: see
   * ResultSpool.open). Throws {@link StateDirError} when the file is there but cannot be read.
   */
  constructor(stateDir: string) {
    this.file = join(stateDir, CREDENTIAL_FILE);
    this.value = readCredential(this.file);
  }

  /** The credential to say hello with; null before the first enrolment. */
  get credential(): string | null {
    return this.value;
  }

  get path(): string {
    return this.file;
  }

  /**
   * Keeps a credential the server just issued: in memory at once (reconnects of this process carry
   * it), and on disk, written to a temporary file and renamed over the old one so a crash leaves one
   * whole credential. Throws when the file cannot be written.
   */
  save(credential: string): void {
    this.value = credential;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${credential}\n`, { mode: 0o600 });
    // The mode of writeFileSync applies only to a file it creates, and is masked by the umask.
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

function readCredential(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StateDirError(`cannot read the worker's credential ${file} (${code ?? (e as Error).message})`);
  }
  const value = text.trim();
  return value === '' ? null : value;
}
