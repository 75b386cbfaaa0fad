import { Controller, Get } from '@nestjs/common';
import { WorkersService, WorkerView } from './workers.service';

@Controller('workers')
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  @Get()
  async list(): Promise<{ items: WorkerView[] }> {
    return { items: await this.workers.list() };
  }
}
