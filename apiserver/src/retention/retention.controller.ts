import { Controller } from '@nestjs/common';
import { RETENTION_ROUTES } from '@cronfleet/shared';
import { Route } from '../common/route.decorator';
import { RetentionService, type SweepReport } from './retention.service';

@Controller()
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  /** One retention sweep now, on this instance; answers with what it deleted. */
  @Route(RETENTION_ROUTES.run)
  run(): Promise<SweepReport> {
    return this.retention.runNow();
  }
}
