import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Retention of finished tasks: the leader's background sweep and `POST /retention/run`. */
@Module({
  controllers: [RetentionController],
  providers: [RetentionRepository, RetentionService],
})
export class RetentionModule {}
