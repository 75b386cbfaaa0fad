import { Controller } from '@nestjs/common';
import { LOADER_ROUTES, type LoaderStatus } from '@cronfleet/shared';
import { Route } from '../common/route.decorator';
import { JobFilesLoader } from './job-files.loader';

@Controller()
export class LoaderController {
  constructor(private readonly loader: JobFilesLoader) {}

  /** Every job file with its status (`ok` or `error` with the message) and the jobs it manages. */
  @Route(LOADER_ROUTES.status)
  status(): LoaderStatus {
    return this.loader.status();
  }
}
