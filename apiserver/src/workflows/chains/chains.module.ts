import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CronJobEntity } from '../../cronjobs/cronjob.entity';
import { TaskOutputEntity } from '../../tasks/task-output.entity';
import { TaskEntity } from '../../tasks/task.entity';
import { TasksRepository } from '../../tasks/tasks.repository';
import { ChainsRepository } from './chains.repository';
import { TaskChainer } from './task-chainer';

/** Job chains (`triggers`), used by TasksService when a task has ended for good. */
@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity, TaskEntity, TaskOutputEntity])],
  // Its own TasksRepository (stateless): TasksModule imports this module, not the other way round.
  providers: [ChainsRepository, TasksRepository, TaskChainer],
  exports: [TaskChainer],
})
export class ChainsModule {}
