import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CronJobEntity } from '../../cronjobs/cronjob.entity';
import { TaskEntity } from '../../tasks/task.entity';
import { TasksModule } from '../../tasks/tasks.module';
import { ChainsRepository } from './chains.repository';
import { TaskChainer } from './task-chainer';

/** Job chains (`triggers`): listens to TaskEnds and starts the jobs a task's job triggers. */
@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity, TaskEntity]), TasksModule],
  providers: [ChainsRepository, TaskChainer],
})
export class ChainsModule {}
