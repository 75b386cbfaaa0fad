import { Module } from '@nestjs/common';
import { CronJobsModule } from '../cronjobs/cronjobs.module';
import { JobFilesLoader } from './job-files.loader';
import { LoaderController } from './loader.controller';

/**
 * Jobs as files: `CRONFLEET_JOBS_DIR` and the `jobs:` of `CRONFLEET_CONFIG`, and `GET /loader`.
 * Jobs are written through CronJobsService: the same validation, events and scheduling as the REST API.
 */
@Module({
  imports: [CronJobsModule],
  controllers: [LoaderController],
  providers: [JobFilesLoader],
})
export class JobFilesModule {}
