import { Controller, HttpCode, Post } from '@nestjs/common';
import { RetentionService, type SweepReport } from './retention.service';

@Controller('retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  /** One retention sweep now, on this instance; answers with what it deleted. */
  @Post('run')
  @HttpCode(200)
  run(): Promise<SweepReport> {
    return this.retention.runNow();
  }
}
