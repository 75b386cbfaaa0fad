import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskEntity } from '../tasks/task.entity';
import { TasksModule } from '../tasks/tasks.module';
import { TaskControl } from './task-control';
import { TaskControlController } from './task-control.controller';
import { WorkerEntity } from './worker.entity';
import { WorkersController } from './workers.controller';
import { WorkersGateway } from './workers.gateway';
import { WorkersRegistry } from './workers.registry';
import { WorkersRepository } from './workers.repository';
import { WorkersService } from './workers.service';

/** Workers: their rows, the socket edge, the registry, and the commands sent them about tasks. Reports go to the task lifecycle. */
@Module({
  imports: [TypeOrmModule.forFeature([WorkerEntity, TaskEntity]), TasksModule],
  controllers: [WorkersController, TaskControlController],
  providers: [WorkersRepository, WorkersRegistry, WorkersGateway, WorkersService, TaskControl],
  exports: [WorkersRegistry, WorkersService, WorkersRepository, TaskControl],
})
export class WorkersModule {}
