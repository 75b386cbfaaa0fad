import { Global, Module } from '@nestjs/common';
import { LiveController } from './live.controller';
import { LiveFeed } from './live-feed';
import { LiveGateway } from './live.gateway';

/** The live event bus; global so that every feature can emit without importing it. */
@Global()
@Module({
  controllers: [LiveController],
  providers: [LiveFeed, LiveGateway],
  exports: [LiveFeed],
})
export class LiveModule {}
