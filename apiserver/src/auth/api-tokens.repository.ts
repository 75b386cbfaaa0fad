import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';

/** api_tokens rows. */
@Injectable()
export class ApiTokensRepository {
  constructor(@InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>) {}

  insert(row: Omit<ApiTokenEntity, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>): Promise<ApiTokenEntity> {
    return this.tokens.save(this.tokens.create({ ...row, lastUsedAt: null, revokedAt: null }));
  }

  findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  findById(id: number): Promise<ApiTokenEntity | null> {
    return this.tokens.findOneBy({ id });
  }

  /** Every token, or those of one namespace (cluster-wide ones are in none). */
  list(namespace?: string): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ where: namespace === undefined ? {} : { namespace }, order: { id: 'ASC' } });
  }

  async revoke(id: number, at: Date): Promise<void> {
    await this.tokens.createQueryBuilder().update().set({ revokedAt: at }).where('id = :id AND revoked_at IS NULL', { id }).execute();
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.tokens.update({ id }, { lastUsedAt: at });
  }
}
