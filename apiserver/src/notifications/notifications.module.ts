import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { TaskEntity } from '../tasks/task.entity';
import { NotificationsRepository } from './notifications.repository';
import { TaskNotifier } from './task-notifier';

/** Per-job notifications (webhooks, email) when a task ends; used by TasksService. */
@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity, TaskEntity])],
  providers: [NotificationsRepository, TaskNotifier],
  exports: [TaskNotifier],
})
export class NotificationsModule {}
