import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir } from '../common/private-files';
import { join } from 'node:path';

export interface Tokens {
  adminToken: string;
  workerToken: string;
  /** Encrypts jobs' secretEnv; never printed. */
  secretKey: Buffer;
  /** Signs webhook notifications (HMAC-SHA256); never printed. */
  webhookSecret: string;
  /** Which tokens were generated now (first start): the only time they are printed. */
  generated: { admin: boolean; worker: boolean };
}

/**
 * Tokens come from the environment, or from `<dataDir>/tokens.json` (mode 0600), generated on first
 * start. Several servers sharing one database must be given the same tokens through the environment.
 */
export function loadOrCreateTokens(dataDir: string, fromEnv: { admin: string | null; worker: string | null; secretKey?: Buffer | null; webhookSecret?: string | null }): Tokens {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'tokens.json');
  let stored: { adminToken?: string; workerToken?: string; secretKey?: string; webhookSecret?: string } = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: unreadable (${(e as Error).message})`);
  }
  const generated = { admin: false, worker: false };
  const adminToken = fromEnv.admin ?? stored.adminToken ?? ((generated.admin = true), randomBytes(24).toString('base64url'));
  const workerToken = fromEnv.worker ?? stored.workerToken ?? ((generated.worker = true), randomBytes(24).toString('base64url'));
  let newKey = false;
  const secretKey = fromEnv.secretKey ?? (stored.secretKey ? Buffer.from(stored.secretKey, 'base64') : ((newKey = true), randomBytes(32)));
  let newWebhookSecret = false;
  const webhookSecret = fromEnv.webhookSecret ?? stored.webhookSecret ?? ((newWebhookSecret = true), randomBytes(32).toString('base64url'));
  if (generated.admin || generated.worker || newKey || newWebhookSecret) {
    const keep = {
      adminToken: fromEnv.admin ? stored.adminToken : adminToken,
      workerToken: fromEnv.worker ? stored.workerToken : workerToken,
      secretKey: fromEnv.secretKey ? stored.secretKey : secretKey.toString('base64'),
      webhookSecret: fromEnv.webhookSecret ? stored.webhookSecret : webhookSecret,
    };
    writeFileSync(file, JSON.stringify(keep, null, 2) + '\n', { mode: 0o600 });
  }
  return { adminToken, workerToken, secretKey, webhookSecret, generated };
}
