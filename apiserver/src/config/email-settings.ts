import type { ServerConfig } from './config';

/** Why email notifications cannot be accepted on this server (naming the missing settings); null when they can. */
export function emailUnavailable(config: Pick<ServerConfig, 'smtpUrl' | 'smtpFrom'>): string | null {
  const missing = [config.smtpUrl ? null : 'CRONFLEET_SMTP_URL', config.smtpFrom ? null : 'CRONFLEET_SMTP_FROM'].filter(Boolean);
  return missing.length ? `email notifications need ${missing.join(' and ')} to be set on the server` : null;
}
