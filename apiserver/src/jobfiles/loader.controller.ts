import { Controller, Get } from '@nestjs/common';
import type { LoaderStatus } from '@cronfleet/shared';
import { JobFilesLoader } from './job-files.loader';

@Controller('loader')
export class LoaderController {
  constructor(private readonly loader: JobFilesLoader) {}

  /** Every job file with its status (`ok` or `error` with the message) and the jobs it manages. */
  @Get()
  status(): LoaderStatus {
    return this.loader.status();
  }
}
