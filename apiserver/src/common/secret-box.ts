import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts a job's secret environment for storage: AES-256-GCM with a fresh 12-byte IV per value,
 * stored as `v1:<base64 iv | tag | ciphertext>`. A wrong key or a tampered value fails to open
 * (the GCM tag), so a server started with another CRONFLEET_SECRET_KEY says so instead of sending
 * garbage to a task.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('SecretBox: the key must be 32 bytes');
  }

  seal(env: Readonly<Record<string, string>>): string {
    return this.sealJson(env);
  }

  open(sealed: string): Record<string, string> {
    return this.openJson<Record<string, string>>(sealed, 'secretEnv');
  }

  /** Any JSON value, sealed the same way (a job version's webhook header values). */
  sealJson(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  /** The value of {@link sealJson}; `what` names it in the error when it cannot be opened. */
  openJson<T>(sealed: string, what: string): T {
    const [version, body] = sealed.split(':', 2);
    if (version !== VERSION || !body) throw new Error(`${what}: not a sealed value this server can read`);
    const raw = Buffer.from(body, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${what}: cannot be decrypted with this server's key (is CRONFLEET_SECRET_KEY the same on every server?)`);
    }
  }
}
