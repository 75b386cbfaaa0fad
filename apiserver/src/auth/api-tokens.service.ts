import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError, notFound } from '../common/errors';
import { digestOf, matchesDigest } from '../common/token';
import type { Tokens } from '../config/secrets';
import { TOKENS } from '../config/tokens';
import { isUniqueViolation } from '../database/columns';
import { ApiTokensRepository } from './api-tokens.repository';
import { type ApiTokenView, type CreateApiToken, type CreatedApiToken, type Actor, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { toApiTokenView } from './api-token.view';
import { KnownNamespaces } from './known-namespaces';
import { TokenSessions } from './token-sessions';

/** Every API token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_TOKEN_PREFIX = 'cft_';
/** lastUsedAt is written at most this often per token: reads must not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

/** What the tokens table keeps of a token: its digest in hex (authenticate hashes a presented token once for both checks). */
export const hashToken = (token: string): string => digestOf(token).toString('hex');

/** Why a token was refused, as the 401's message. */
export type AuthOutcome = { ok: true; actor: Actor } | { ok: false; reason: string };

/** API tokens: creation (the secret shown once), listing, revocation, and checking a presented token. */
@Injectable()
export class ApiTokensService {
  private readonly logger = new Logger('auth');
  /** The bootstrap admin token's digest: every request compares against it. */
  private readonly adminDigest: Buffer;

  constructor(
    private readonly repo: ApiTokensRepository,
    @Inject(TOKENS) tokens: Tokens,
    private readonly namespaces: KnownNamespaces,
    private readonly sessions: TokenSessions,
  ) {
    this.adminDigest = digestOf(tokens.adminToken);
  }

  /** `input.namespace` is the one the token gets, already checked against the creator's scope (null: cluster-wide). */
  async create(input: Omit<CreateApiToken, 'namespace'> & { namespace: string | null }, by: Actor, now = new Date()): Promise<CreatedApiToken> {
    if (input.namespace !== null) await this.namespaces.assertExists(input.namespace);
    // 32 random bytes: guessing is hopeless, so a fast unsalted hash is enough to store it.
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    try {
      const row = await this.repo.insert({
        name: input.name,
        role: input.role,
        namespace: input.namespace,
        tokenHash: hashToken(token),
        hint: token.slice(0, API_TOKEN_PREFIX.length + 4),
        createdBy: by.name,
        expiresAt: input.expiresInSeconds === undefined ? null : new Date(now.getTime() + input.expiresInSeconds * 1000),
      });
      return { ...toApiTokenView(row), token };
    } catch (e) {
      if (isUniqueViolation(e)) throw new DomainError('ApiTokenNameTaken', `name '${input.name}': a token with this name exists; pick another or revoke and delete that one`);
      throw e;
    }
  }

  async list(namespace?: string): Promise<ApiTokenView[]> {
    return (await this.repo.list(namespace)).map(toApiTokenView);
  }

  /**
   * Revokes a token at once on every server: each request reads its row, and the streams it holds
   * open on any instance are closed (TokenSessions). Revoking twice is no error.
   */
  async revoke(id: number, now = new Date()): Promise<void> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound('ApiToken', id);
    await this.repo.revoke(id, now);
    await this.sessions.revoked(id, row.name);
  }

  /** Who `presented` is: the bootstrap admin token, or a live API token. Never the worker token. */
  async authenticate(presented: string, now = new Date()): Promise<AuthOutcome> {
    const digest = digestOf(presented);
    if (matchesDigest(digest, this.adminDigest)) return { ok: true, actor: BOOTSTRAP_ADMIN };
    if (!presented.startsWith(API_TOKEN_PREFIX) || presented.length > 200) return { ok: false, reason: 'token is not valid' };
    const hash = digest.toString('hex');
    const row = await this.repo.findByHash(hash);
    // The lookup is by hash, so its timing says nothing about the token; compare anyway, in constant time.
    if (!row || !matchesDigest(digest, Buffer.from(row.tokenHash, 'hex'))) return { ok: false, reason: 'token is not valid' };
    if (row.revokedAt) return { ok: false, reason: `token '${row.name}' was revoked at ${row.revokedAt.toISOString()}` };
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: `token '${row.name}' expired at ${row.expiresAt.toISOString()}` };
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      this.repo.touch(row.id, now).catch((e: unknown) => this.logger.warn(`could not record the use of token ${row.id}: ${(e as Error).message}`));
    }
    return { ok: true, actor: { tokenId: row.id, name: row.name, role: row.role, namespace: row.namespace, expiresAtMs: row.expiresAt?.getTime() ?? null } };
  }
}
