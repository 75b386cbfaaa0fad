import { Global, Module } from '@nestjs/common';
import { LiveController } from './live.controller';
import { LiveEvents } from './live-events';
import { LiveGateway } from './live.gateway';

/** The live event bus; global so that every feature can emit without importing it. */
@Global()
@Module({
  controllers: [LiveController],
  providers: [LiveEvents, LiveGateway],
  exports: [LiveEvents],
})
export class LiveModule {}
