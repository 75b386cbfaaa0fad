import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Worker identity: who may say `worker:hello` under a name. The shared worker token (checked at the
 * socket handshake) only lets a process enrol; each name then has a credential of its own.
 *
 *     from        event                                         to
 *     (no row)    hello of a worker that keeps credentials      enrolled  (credential issued)
 *     (no row)    hello of a worker older than credentials      open
 *     open        hello of a worker that keeps credentials      enrolled  (credential issued)
 *     enrolled    revoke (admin)                                revoked   (connection cut)
 *     open        revoke (admin)                                revoked
 *     enrolled    reenrol (admin), while not online             open      (old credential void)
 *     revoked     reenrol (admin)                               open
 *
 * `enrolled`: hellos must carry the credential issued at the enrolment. `open`: the next hello with
 * the worker token is issued a fresh credential (rows from before credentials start here: the
 * upgrade path; and an admin's re-enrolment after a host lost its state directory). `revoked`: every
 * hello is refused until an admin re-enrols the name. Revoke and reenrol are the admin API's
 * (WorkersService); the gateway carries out what {@link admitWorker} decides.
 */
export type EnrolmentState = 'open' | 'enrolled' | 'revoked';

/** The facts about a name the decision needs, from its row. */
export interface KnownWorker {
  enrolment: EnrolmentState;
  /** Hex SHA-256 of its credential; null unless enrolled. */
  credentialHash: string | null;
}

/** What a hello says about who sent it. */
export interface HelloIdentity {
  name: string;
  credential?: string;
  sessionId?: string;
  /** The worker keeps an issued credential (workers from before credentials do not say so). */
  keepsCredential?: boolean;
}

/** Another connection that holds the name now: connected to some instance and heartbeating. */
export interface LiveConnection {
  /** Its process's session, when known. */
  sessionId: string | null;
}

export type AdmissionRefusal = 'WorkerNameTaken' | 'WorkerCredentialRefused' | 'WorkerRevoked';

export type Admission =
  /** Let it in as it is: an enrolled worker with its credential, or an older worker on an open name. */
  | { verdict: 'accept' }
  /** Let it in and issue a fresh credential to this name (a new name, or its enrolment is open). */
  | { verdict: 'enrol' }
  | { verdict: 'refuse'; code: AdmissionRefusal; message: string };

/**
 * Whether a hello may go on, as a pure function of the name's row (null: unknown name), the hello,
 * and the live connection that holds the name, if any.
 *
 * A name held by a live connection is refused to everyone but that very process reconnecting: the
 * same session, and the right credential (or an open enrolment). A session id alone proves nothing:
 * it travels in every hello, so it is no secret. A worker that does not keep credentials (one from
 * before them) is let in on an open name without one, so an upgrade of the servers does not lock
 * out the workers not upgraded yet; it enrols once upgraded.
 */
export function admitWorker(known: KnownWorker | null, hello: HelloIdentity, live: LiveConnection | null): Admission {
  const name = hello.name;
  const enrolOrAccept: Admission = hello.keepsCredential ? { verdict: 'enrol' } : { verdict: 'accept' };
  if (known === null) return enrolOrAccept;
  if (known.enrolment === 'revoked') {
    return refuse('WorkerRevoked', `worker '${name}' was revoked by an admin; to let it join again: cronfleet workers reenrol ${shellWord(name)}`);
  }
  const credentialOk = known.enrolment === 'enrolled' && credentialMatches(hello.credential, known.credentialHash);
  if (live !== null) {
    const sameProcess = hello.sessionId !== undefined && live.sessionId !== null && hello.sessionId === live.sessionId;
    if (!sameProcess || (known.enrolment === 'enrolled' && !credentialOk)) {
      return refuse('WorkerNameTaken', `a worker named '${name}' is already connected; give each worker its own --name`);
    }
  }
  if (known.enrolment === 'open') return enrolOrAccept;
  if (credentialOk) return { verdict: 'accept' };
  const what =
    hello.credential !== undefined ? 'carried a credential that does not match' : hello.keepsCredential ? 'carried no credential' : 'carried no credential (the worker is older than credentials: upgrade it)';
  return refuse(
    'WorkerCredentialRefused',
    `worker '${name}' is enrolled with a credential of its own and this hello ${what}: start it with the state directory it enrolled with (--state-dir, which holds the file 'credential'), or have an admin re-enrol it: cronfleet workers reenrol ${shellWord(name)}`,
  );
}

function refuse(code: AdmissionRefusal, message: string): Admission {
  return { verdict: 'refuse', code, message };
}

/** Bytes of randomness in a credential. */
const CREDENTIAL_BYTES = 32;

/** A new credential: 32 random bytes, base64url (43 characters). */
export function newCredential(random: (n: number) => Buffer = randomBytes): string {
  return random(CREDENTIAL_BYTES).toString('base64url');
}

/** Hex SHA-256: enough for a secret of 256 random bits, which no dictionary holds. */
export function hashCredential(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

/** Constant-time check of a presented credential against the stored hash. */
export function credentialMatches(given: string | undefined, hash: string | null): boolean {
  if (given === undefined || hash === null || !/^[0-9a-f]{64}$/.test(hash)) return false;
  return timingSafeEqual(Buffer.from(hashCredential(given), 'hex'), Buffer.from(hash, 'hex'));
}

/** A worker name as one shell word, so a command in a message can be pasted as it is. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9._@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
